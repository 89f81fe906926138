/**
 * Type-level tests of the `keyval` contract, checked by `tsc --noEmit`: the plugin's store
 * satisfies the contract's `KeyValueStore`, `ctx.services` types `keyval` from the contract alone,
 * and each `@ts-expect-error` fails the build if its line compiles.
 */
import { createKeyValueStore, openSqliteBackend } from "@buntime/plugin-storage";
import { definePlugin, type KeyValueStore } from "@buntime/sdk";

definePlugin({
  async setup(ctx) {
    // The plugin's implementation, and each of its namespace views, is the contract's store.
    const implementation = createKeyValueStore(openSqliteBackend(":memory:")) satisfies KeyValueStore;
    implementation.namespace("types") satisfies KeyValueStore;
    ctx.services.provide("keyval", implementation);
    const { batch: _, ...withoutBatch } = implementation;
    // @ts-expect-error a store without batch is not a KeyValueStore
    withoutBatch satisfies KeyValueStore;
    // @ts-expect-error keyval is provided whole, not in part
    ctx.services.provide("keyval", { get: async () => null });

    const store = ctx.services.get("keyval").namespace("types");
    const entry = await store.get<{ role: string }>("user/ada");
    const role: string | undefined = entry?.value.role;
    // @ts-expect-error the value has the type get was asked for
    const count: number | undefined = entry?.value.role;
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
    void [role, count];
  },
});
