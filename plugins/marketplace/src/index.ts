/**
 * @buntime/plugin-marketplace: the registry's plugins in the shell. Browse, search, read a
 * plugin's readme, permissions and trust evidence, then install, upgrade, roll back or remove it
 * after a plan, through the same code path as `buntime plugin install`.
 */
import { definePlugin } from "@buntime/sdk";

/** The marketplace plugin. */
export default definePlugin({
  setup: () => ({}),
});
