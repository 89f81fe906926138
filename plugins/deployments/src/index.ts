/**
 * @buntime/plugin-deployments: deploys app versions into the running kernel's apps folder (the
 * one the router serves) and keeps who deployed what and when. Admin only.
 */
import { definePlugin } from "@buntime/sdk";

export default definePlugin({
  setup: () => ({}),
});
