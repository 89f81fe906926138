import { describe, expect, it } from "bun:test";
import { createRedisStore } from "@buntime/plugin-ratelimit";
import { startRedis } from "@buntime/test-kit/redis";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import { storeContract } from "./helpers/store-contract.ts";

// A real server: without redis-server this file is skipped, except under CI, where it must be there.
const noRedis = skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" });
const url = noRedis ? "" : await startRedis();

storeContract("Redis", () => createRedisStore({ url, prefix: "contract:" }), { skip: noRedis });

describe.skipIf(noRedis)("Redis store", () => {
  it("shares one counter between stores on the same server and prefix, apart from another prefix", async () => {
    const policy = { name: "p", algorithm: "sliding-window", limit: 3, window: 60_000, capacity: 3 } as const;
    const [one, two, other] = [
      createRedisStore({ url, prefix: "shared:" }),
      createRedisStore({ url, prefix: "shared:" }),
      createRedisStore({ url, prefix: "other:" }),
    ];
    try {
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).consume("k", policy, 1, now)),
      );
      expect(results.filter((d) => d.allowed)).toHaveLength(3);
      expect((await other.consume("k", policy, 1, now)).allowed).toBe(true);
    } finally {
      for (const store of [one, two, other]) await store.close();
    }
  });

  it("fails with the client's error when the server cannot be reached", async () => {
    const store = createRedisStore({ url: "redis://127.0.0.1:1" });
    const policy = { name: "p", algorithm: "token-bucket", limit: 1, window: 1000, capacity: 1 } as const;
    const error = await Promise.resolve(store.consume("k", policy, 1, 0)).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    await store.close();
  });
});
