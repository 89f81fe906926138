/**
 * Type-level tests of the `keyval` service, checked by `tsc --noEmit`: importing the plugin types
 * `ctx.services.get("keyval")`, and each `@ts-expect-error` fails the build if its line compiles.
 */
import type {} from "@buntime/plugin-storage";
import { definePlugin } from "@buntime/sdk";

definePlugin({
  async onInit(ctx) {
    const store = ctx.services.get("keyval").namespace("types");
    const entry = await store.get<{ role: string }>("user/ada");
    const role: string | undefined = entry?.value.role;
    const result = await store.set(
      "user/ada",
      { role: "admin" },
      { ttl: 1000, version: entry?.version ?? null },
    );
    if (result.ok) {
      const version: string = result.version;
      void version;
    } else {
      const key: string = result.key;
      void key;
    }
    // @ts-expect-error a TTL is milliseconds, not a duration string
    await store.set("k", 1, { ttl: "1m" });
    // @ts-expect-error batch operations are check, set or delete
    await store.batch([{ type: "increment", key: "k" }]);
    // @ts-expect-error a check needs a version
    await store.batch([{ type: "check", key: "k" }]);
    void role;
  },
});
