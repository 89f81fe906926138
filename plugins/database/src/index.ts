/**
 * @buntime/plugin-database: one SQLite database per app, reached over the libSQL remote protocol.
 */
import { definePlugin } from "@buntime/sdk";

export default definePlugin({
  setup() {
    return {};
  },
});
