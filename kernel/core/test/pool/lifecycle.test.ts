import { afterEach, describe, expect, it } from "bun:test";
import type { WorkerEvent } from "@buntime/sdk";
import type { KernelWorkerPool, WorkerPoolOptions } from "../../src/pool/index.ts";
import { call, eventually, fixture, testPool } from "./helpers.ts";

const pools: KernelWorkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.shutdown()));
});

function track(options: WorkerPoolOptions = {}) {
  const spawned: WorkerEvent[] = [];
  const ended: WorkerEvent[] = [];
  const pool = testPool({
    onWorkerSpawn: (event) => spawned.push(event),
    onWorkerTerminate: (event) => ended.push(event),
    ...options,
  });
  pools.push(pool);
  return { pool, spawned, ended };
}

async function count(pool: KernelWorkerPool, spec = fixture("counter")) {
  const { status, text } = await call(pool, spec);
  expect(status).toBe(200);
  return JSON.parse(text) as { count: number; bootedAt: string };
}

describe("persistent apps", () => {
  it("reuse one warm worker and its module state across requests", async () => {
    const { pool, spawned } = track();
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(await count(pool));
    expect(seen.map((s) => s.count)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(seen.map((s) => s.bootedAt)).size).toBe(1);
    expect(spawned).toHaveLength(1);
    expect(spawned[0]).toMatchObject({ app: "counter@0.0.0" });
  });

  it("share one spawn between requests that arrive while the worker loads", async () => {
    const { pool, spawned } = track();
    const seen = await Promise.all(Array.from({ length: 8 }, () => count(pool)));
    expect(seen.map((s) => s.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(spawned).toHaveLength(1);
  });

  it("retire a worker after idleTimeout and boot a fresh one on the next request", async () => {
    const { pool, ended } = track();
    const spec = fixture("counter", { idleTimeout: 150 });
    const first = await count(pool, spec);
    expect(await eventually(() => ended.some((e) => e.reason === "idle"), 2000)).toBe(true);
    expect(pool.stats().apps["counter@0.0.0"]?.workers).toBe(0);
    const second = await count(pool, spec);
    expect(second.count).toBe(1);
    expect(second.bootedAt).not.toBe(first.bootedAt);
  });

  it("retire a worker when its sliding ttl lapses, and requests keep extending it", async () => {
    const { pool, ended } = track();
    const spec = fixture("counter", { ttl: 600, idleTimeout: 60_000 });
    const first = await count(pool, spec);
    // five requests 200 ms apart outlive a 600 ms ttl only because each one extends it
    for (let i = 0; i < 5; i++) {
      await Bun.sleep(200);
      expect((await count(pool, spec)).bootedAt).toBe(first.bootedAt);
    }
    expect(ended).toHaveLength(0);
    expect(await eventually(() => ended.some((e) => e.reason === "ttl"), 2000)).toBe(true);
    expect((await count(pool, spec)).count).toBe(1);
  });

  it("recycle a worker after maxRequests", async () => {
    const { pool, ended } = track();
    const spec = fixture("counter", { maxRequests: 3 });
    const seen = [];
    for (let i = 0; i < 7; i++) seen.push(await count(pool, spec));
    expect(seen.map((s) => s.count)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(new Set(seen.map((s) => s.bootedAt)).size).toBe(3);
    expect(await eventually(() => ended.filter((e) => e.reason === "max-requests").length === 2)).toBe(true);
    expect(pool.stats().apps["counter@0.0.0"]?.recycled["max-requests"]).toBe(2);
  });

  it("keep streaming from a retired worker without holding other spawns back", async () => {
    const { pool, ended } = track({ maxClosingWorkers: 1 });
    const sse = fixture("sse", { maxRequests: 1 });
    const stream = await pool.fetch(sse, new Request("http://app.test/events"));
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    // the streaming worker is retired (maxRequests: 1) but still busy; other apps still spawn
    for (const name of ["spawn-a", "spawn-b"]) {
      expect((await call(pool, fixture("hello", { name }))).text).toBe("hello");
    }
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    expect(
      await eventually(() => ended.some((e) => e.app === "sse@0.0.0" && e.reason === "max-requests")),
    ).toBe(true);
  });

  it("retire the least recently used app when the LRU is full", async () => {
    const { pool, ended } = track({ maxWorkers: 2 });
    const a = fixture("counter", { name: "a" });
    const b = fixture("counter", { name: "b" });
    const c = fixture("counter", { name: "c" });
    await count(pool, a);
    await count(pool, b);
    await count(pool, a);
    await count(pool, c);
    expect(await eventually(() => ended.some((e) => e.app === "b@0.0.0" && e.reason === "evicted"))).toBe(
      true,
    );
    expect(ended.some((e) => e.app === "a@0.0.0")).toBe(false);
    expect((await count(pool, a)).count).toBe(3);
    expect((await count(pool, b)).count).toBe(1);
    expect(pool.stats().evicted).toBe(2); // b for c, then c for b
  });

  it("pass over an app with a request in flight when making room, however long ago it was used", async () => {
    const { pool, ended } = track({ maxWorkers: 2 });
    const slow = fixture("slow", { name: "busy" });
    const idle = fixture("counter", { name: "idle" });
    const pending = call(pool, slow, "/?ms=600"); // the least recently used, and busy
    await eventually(() => pool.stats().apps["busy@0.0.0"]?.active === 1);
    await count(pool, idle);
    await count(pool, fixture("counter", { name: "newcomer" }));
    expect(await eventually(() => ended.some((e) => e.app === "idle@0.0.0" && e.reason === "evicted"))).toBe(
      true,
    );
    expect((await pending).status).toBe(200);
    expect(ended.some((e) => e.app === "busy@0.0.0")).toBe(false);
  });
});

describe("ephemeral apps (ttl: 0)", () => {
  it("give every request a fresh worker that closes itself afterwards", async () => {
    const { pool, ended } = track();
    const spec = fixture("counter", { ttl: 0, standby: 1 });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await count(pool, spec));
    expect(seen.map((s) => s.count)).toEqual([1, 1, 1, 1]);
    expect(new Set(seen.map((s) => s.bootedAt)).size).toBe(4);
    expect(await eventually(() => ended.filter((e) => e.reason === "done").length === 4)).toBe(true);
    const stats = pool.stats().apps["counter@0.0.0"];
    expect(stats?.mode).toBe("ephemeral");
    expect(stats?.recycled.done).toBe(4);
  });

  it("keep standby workers loaded so a request does not wait for a spawn", async () => {
    const { pool } = track();
    const spec = fixture("counter", { ttl: 0, standby: 2 });
    await count(pool, spec);
    expect(await eventually(() => pool.stats().apps["counter@0.0.0"]?.workers === 2)).toBe(true);
    await Bun.sleep(50);
    for (let i = 0; i < 2; i++) {
      const sentAt = Date.now();
      const started = performance.now();
      const seen = await count(pool, spec);
      // the answering worker had loaded the app before the request was sent
      expect(Number(seen.bootedAt.split("-")[0])).toBeLessThan(sentAt);
      expect(seen.count).toBe(1);
      expect(performance.now() - started).toBeLessThan(200);
    }
  });

  it("queue requests past the concurrency limit and answer 503 with Retry-After past the queue", async () => {
    const { pool } = track();
    const spec = fixture("slow", { ttl: 0, concurrency: 2, maxQueue: 2, standby: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => call(pool, spec, "/?ms=150")));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 503, 503]);
    const rejected = results.find((r) => r.status === 503);
    expect(rejected?.headers.get("retry-after")).toBe("1");
    expect(rejected?.text).toContain("BUNTIME_ERR_POOL_OVERLOADED");
    const stats = pool.stats().apps["slow@0.0.0"];
    expect(stats?.requests).toBe(6);
    expect(stats?.errors).toBe(2);
    expect(stats?.queued).toBe(0);
  });

  it("let a worker whose client left close itself even though its handler never returns", async () => {
    const { pool, ended } = track();
    const spec = fixture("long-poll", { ttl: 0, standby: 0 });
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => pool.fetch(spec, request),
    });
    try {
      const controller = new AbortController();
      const pending = fetch(`http://127.0.0.1:${server.port}/wait`, { signal: controller.signal }).catch(
        () => "gone",
      );
      expect(await eventually(() => pool.stats().apps["long-poll@0.0.0"]?.active === 1)).toBe(true);
      controller.abort();
      expect(await pending).toBe("gone");
      expect(
        await eventually(() => ended.some((e) => e.app === "long-poll@0.0.0" && e.reason === "done")),
      ).toBe(true);
      expect(pool.stats().apps["long-poll@0.0.0"]?.workers).toBe(0);
    } finally {
      server.stop(true);
    }
  });

  it("answer 504 to a queued request that waits past its timeout", async () => {
    const { pool } = track();
    const spec = fixture("sse", { ttl: 0, concurrency: 1, maxQueue: 4, timeout: 300 });
    // an open event stream holds the only slot (streams are not subject to the timeout)
    const stream = await pool.fetch(spec, new Request("http://app.test/events"));
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    const started = performance.now();
    const queued = await call(pool, spec, "/status");
    expect(queued.status).toBe(504);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    await reader.cancel();
    // once the stream ends its slot frees up and a fresh worker answers
    expect(JSON.parse((await call(pool, spec, "/status")).text)).toEqual({ opened: 0, cancelled: 0 });
  });
});

describe("stats and shutdown", () => {
  it("report requests, latency percentiles, memory and workers per app", async () => {
    const { pool } = track();
    for (let i = 0; i < 20; i++) await call(pool, fixture("slow"), "/?ms=5");
    await Bun.sleep(120);
    const stats = pool.stats();
    const slow = stats.apps["slow@0.0.0"];
    expect(stats.workers).toBe(1);
    expect(slow).toMatchObject({
      mode: "persistent",
      workers: 1,
      requests: 20,
      errors: 0,
      active: 0,
      spawned: 1,
    });
    expect(slow?.latency.p50).toBeGreaterThanOrEqual(5);
    expect(slow?.latency.p99).toBeGreaterThanOrEqual(slow?.latency.p50 ?? 0);
    expect(slow?.memory).toBeGreaterThan(0);
  });

  it("let in-flight requests finish on shutdown and refuse new ones", async () => {
    const { pool, ended } = track();
    await call(pool, fixture("slow"), "/?ms=1");
    const inFlight = call(pool, fixture("slow"), "/?ms=200");
    await Bun.sleep(20);
    await pool.shutdown();
    expect(await inFlight).toMatchObject({ status: 200, text: "slept 200" });
    expect(ended.map((e) => e.reason)).toEqual(["shutdown"]);
    expect(pool.stats().workers).toBe(0);
    expect((await call(pool, fixture("hello"))).status).toBe(503);
  });
});
