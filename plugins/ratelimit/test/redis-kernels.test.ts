import { afterEach, describe, expect, it } from "bun:test";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import ratelimit from "@buntime/plugin-ratelimit";
import { definePlugin } from "@buntime/sdk";
import { startRedis, startRedisServer } from "@buntime/test-kit/redis";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import ratelimitPackage from "../package.json" with { type: "json" };

// A real server: without redis-server this file is skipped, except under CI, where it must be there.
const noRedis = skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" });
const url = noRedis ? "" : await startRedis();

const plugins: TestPlugin[] = [
  { packageJson: ratelimitPackage, plugin: ratelimit },
  {
    packageJson: { name: "echo", version: "1.0.0", buntime: { kernel: "*", base: "/api" } },
    plugin: definePlugin({ setup: () => ({ fetch: () => new Response("ok") }) }),
  },
];

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

async function start(settings: Record<string, unknown>, kernelSettings: Record<string, unknown> = {}) {
  const kernel = await createTestKernel({
    plugins,
    config: { ...kernelSettings, plugins: { "@buntime/plugin-ratelimit": settings } },
    listen: kernelSettings.trustProxy !== undefined,
  });
  kernels.push(kernel);
  return kernel;
}

describe.skipIf(noRedis)("ratelimit on Redis", () => {
  it("shares one limit between several kernels", async () => {
    const settings = {
      store: "redis",
      redisUrl: url,
      prefix: `shared-${crypto.randomUUID()}:`,
      rules: [{ name: "api", path: "/api/*", limit: 5, window: "1m" }],
    };
    // each kernel behind a proxy on 127.0.0.1 that names the client in x-real-ip
    const behind = { trustProxy: { header: "x-real-ip", proxies: ["127.0.0.1"] } };
    const nodes = await Promise.all([1, 2, 3].map(() => start(settings, behind)));
    const from = (node: TestKernel | undefined, client: string) =>
      fetch(new URL("/api/x", node?.url), { headers: { "x-real-ip": client } });
    const statuses = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => (await from(nodes[i % 3], "7.7.7.7")).status),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const other = await from(nodes[0], "8.8.8.8");
    expect(other.status).toBe(200);
    expect(other.headers.get("ratelimit-remaining")).toBe("4");
  });

  it("lets requests through and logs when Redis is unreachable, unless told to fail closed", async () => {
    const rules = [{ path: "/api/*", limit: 1, window: "1m" }];
    const open = await start({ store: "redis", redisUrl: "redis://127.0.0.1:1", rules });
    expect((await open.fetch("/api/x")).status).toBe(200);
    expect((await open.fetch("/api/x")).status).toBe(200);
    const warnings = open.logs.filter((line) => line.message.startsWith("rate limit store redis failed"));
    expect(warnings.map((line) => line.level)).toEqual(["warn"]); // once per outage, not per request
    expect(warnings[0]?.message).toEndWith("; letting requests through");

    const closed = await start({ store: "redis", redisUrl: "redis://127.0.0.1:1", failOpen: false, rules });
    const refused = await closed.fetch("/api/x");
    expect(refused.status).toBe(503);
    const body = (await refused.json()) as { error: { code: string } };
    expect(body.error.code).toBe("BUNTIME_ERR_RATELIMIT_STORE_FAILED");
  });

  it("lets requests through while Redis is down and counts again once it is back", async () => {
    const redis = await startRedisServer();
    const kernel = await start({
      store: "redis",
      redisUrl: redis.url,
      reconnectDelay: 0,
      rules: [{ path: "/api/*", key: "route", limit: 2, window: "1m" }],
    });
    const status = async () => (await kernel.fetch("/api/x")).status;
    expect([await status(), await status(), await status()]).toEqual([200, 200, 429]);
    await redis.stop();
    expect([await status(), await status(), await status()]).toEqual([200, 200, 200]);
    expect(
      kernel.logs.filter((line) => line.message.startsWith("rate limit store redis failed")),
    ).toHaveLength(1);
    await redis.restart(); // empty: nothing was persisted
    expect([await status(), await status(), await status()]).toEqual([200, 200, 429]);
    expect(kernel.logs.at(-1)?.message).toMatch(/^rate limit store redis is back after \d+ ms$/);
  });

  it("gives up on a Redis that hangs after commandTimeout, and counts again once it answers", async () => {
    const redis = await startRedisServer();
    const kernel = await start({
      store: "redis",
      redisUrl: redis.url,
      reconnectDelay: 0,
      commandTimeout: 150,
      rules: [{ path: "/api/*", key: "route", limit: 5, window: "1m" }],
    });
    const timed = async () => {
      const started = performance.now();
      const { status } = await kernel.fetch("/api/x");
      return { status, ms: performance.now() - started };
    };
    expect((await timed()).status).toBe(200);
    redis.pause();
    try {
      for (let i = 0; i < 2; i++) {
        const { status, ms } = await timed();
        expect(status).toBe(200);
        expect(ms).toBeLessThan(2000); // the hook timeout is 5 s: far from it
      }
      const warning = kernel.logs.find((line) => line.message.startsWith("rate limit store redis failed"));
      expect(warning?.message).toContain("no answer within 150 ms");
    } finally {
      redis.resume();
    }
    // The frozen commands run when Redis wakes, so the limit of 5 is met within 5 more requests.
    const after: number[] = [];
    for (let i = 0; i < 5 && !after.includes(429); i++) after.push((await timed()).status);
    expect(after).toContain(429);
  });

  it("fails fast for reconnectDelay after a failed connection instead of trying on every request", async () => {
    const kernel = await start({ store: "redis", redisUrl: "redis://127.0.0.1:1", reconnectDelay: 60_000 });
    const limiter = kernel.service("ratelimit");
    const policy = { limit: 1, window: "1m" };
    const first = await limiter.consume("k", policy).catch((error) => error);
    expect(first.code).toBe("BUNTIME_ERR_RATELIMIT_STORE_FAILED");
    expect(first.message).not.toContain("next connection attempt");
    const second = await limiter.consume("k", policy).catch((error) => error);
    expect(second.message).toMatch(/^rate limit store redis failed: unreachable; next attempt in \d+ ms$/);
  });

  it("refuses to start the redis store without a URL", async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      const kernel = await start({ store: "redis" });
      const listed = JSON.stringify(await (await kernel.fetch("/_/api/plugins")).json());
      expect(listed).toContain('store \\"redis\\" needs redisUrl');
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });
});
