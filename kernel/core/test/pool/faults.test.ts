import { afterAll, describe, expect, it } from "bun:test";
import type { WorkerEvent } from "@buntime/sdk";
import { call, eventually, fixture, servePool, testPool } from "./helpers.ts";

const terminated: WorkerEvent[] = [];
const pool = testPool({ onWorkerTerminate: (event) => terminated.push(event) });
afterAll(() => pool.shutdown());

const hello = fixture("hello");
const counter = fixture("counter");

/** The bystander apps still answer, and the persistent one kept its state (same worker). */
async function othersUnaffected(before: { bootedAt: string }): Promise<void> {
  expect(await call(pool, hello)).toMatchObject({ status: 200, text: "hello" });
  const after = JSON.parse((await call(pool, counter)).text) as { bootedAt: string };
  expect(after.bootedAt).toBe(before.bootedAt);
}

async function warmBystanders(): Promise<{ bootedAt: string }> {
  expect((await call(pool, hello)).status).toBe(200);
  return JSON.parse((await call(pool, counter)).text) as { bootedAt: string };
}

function errorCode(text: string): string {
  return (JSON.parse(text) as { error: { code: string } }).error.code;
}

describe("a faulty app costs only its own requests", () => {
  it("answers 502 for an app that throws at import, and again on the next request", async () => {
    const before = await warmBystanders();
    const broken = fixture("crash-import");
    for (let i = 0; i < 2; i++) {
      const { status, text } = await call(pool, broken);
      expect(status).toBe(502);
      expect(errorCode(text)).toBe("BUNTIME_ERR_POOL_WORKER_FAILED");
      expect(text).toContain("broken at import");
    }
    expect(pool.stats().apps["crash-import@0.0.0"]?.recycled["load-error"]).toBe(2);
    await othersUnaffected(before);
  });

  it("answers 502 when the handler throws and keeps the worker for the next request", async () => {
    const before = await warmBystanders();
    const throws = fixture("throws");
    const first = await call(pool, throws);
    expect(first.status).toBe(502);
    expect(first.text).toContain("handler exploded");
    expect((await call(pool, throws)).status).toBe(502);
    expect(pool.stats().apps["throws@0.0.0"]?.spawned).toBe(1);
    await othersUnaffected(before);
  });

  it("answers 502 when the app calls process.exit and replaces the worker on the next request", async () => {
    const before = await warmBystanders();
    const exits = fixture("exit");
    const first = await call(pool, exits);
    expect(first.status).toBe(502);
    expect(first.text).toContain("code 7");
    expect((await call(pool, exits)).status).toBe(502);
    const stats = pool.stats().apps["exit@0.0.0"];
    expect(stats?.spawned).toBe(2);
    expect(stats?.recycled.crash).toBe(2);
    await othersUnaffected(before);
  });

  it("answers 502 when fetch returns something that is not a Response", async () => {
    const before = await warmBystanders();
    const { status, text } = await call(pool, fixture("bad-return"));
    expect(status).toBe(502);
    expect(text).toContain("fetch did not return a Response");
    await othersUnaffected(before);
  });

  it("answers 502 to the request in flight when an uncaught error ends the worker", async () => {
    const before = await warmBystanders();
    const started = performance.now();
    const { status, text } = await call(pool, fixture("async-throw", { timeout: 5000 }));
    expect(status).toBe(502);
    expect(text).toContain("thrown from a timer");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await eventually(() => pool.stats().apps["async-throw@0.0.0"]?.recycled.crash === 1)).toBe(true);
    await othersUnaffected(before);
  });

  it("answers 504 for an infinite loop, terminates that worker and serves the next request from a new one", async () => {
    const before = await warmBystanders();
    const loop = fixture("loop", { timeout: 300 });
    const started = performance.now();
    const spin = call(pool, loop, "/spin");
    // the main thread stays responsive while the worker spins
    expect(await call(pool, hello)).toMatchObject({ status: 200 });
    const stuck = await spin;
    expect(stuck.status).toBe(504);
    expect(errorCode(stuck.text)).toBe("BUNTIME_ERR_POOL_TIMEOUT");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await call(pool, loop)).toMatchObject({ status: 200, text: "ok" });
    expect(
      await eventually(() => terminated.some((e) => e.app === "loop@0.0.0" && e.reason === "timeout")),
    ).toBe(true);
    await othersUnaffected(before);
  });

  it("answers 502 for an app stuck loading past its timeout, and terminates it only after it loaded", async () => {
    const before = await warmBystanders();
    const stuck = fixture("slow-import", { timeout: 300 });
    const started = performance.now();
    const { status, text } = await call(pool, stuck);
    expect(status).toBe(502);
    expect(text).toContain("did not load within 300 ms");
    expect(performance.now() - started).toBeLessThan(1200);
    await othersUnaffected(before);
    const ended = () =>
      terminated.filter((e) => e.app === "slow-import@0.0.0" && e.reason === "load-timeout");
    // never terminated mid-load: it ends only after its import finished (~1.5 s after spawn)
    expect(ended()).toHaveLength(0);
    expect(await eventually(() => ended().length === 1, 5000)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
  });

  for (const mode of [{ ttl: 60_000 }, { ttl: 0, standby: 0 }]) {
    const kind = mode.ttl === 0 ? "ephemeral" : "persistent";
    it(`starts no second worker for a ${kind} app while one is stuck loading, and starts again once it ended`, async () => {
      const before = await warmBystanders();
      const stuck = fixture("slow-import", { name: `stuck-${kind}`, timeout: 300, ...mode });
      const key = `stuck-${kind}@0.0.0`;
      expect((await call(pool, stuck)).text).toContain("did not load within 300 ms");
      const started = performance.now();
      const second = await call(pool, stuck);
      expect(second.status).toBe(502);
      expect(second.text).toContain("still loading");
      expect(performance.now() - started).toBeLessThan(250);
      expect(pool.stats().apps[key]?.spawned).toBe(1);
      await othersUnaffected(before);
      const ended = () => terminated.some((e) => e.app === key && e.reason === "load-timeout");
      expect(await eventually(ended, 5000)).toBe(true);
      // the stuck worker is gone: the next request may spawn again (and this app is slow again)
      expect((await call(pool, stuck)).text).toContain("did not load within 300 ms");
      expect(pool.stats().apps[key]?.spawned).toBe(2);
    });
  }

  it("recycles a worker whose heap grows past maxMemory", async () => {
    const before = await warmBystanders();
    const bomb = fixture("memory", { maxMemory: 64 * 1024 * 1024 });
    expect(await call(pool, bomb, "/grow")).toMatchObject({ status: 200, text: "growing" });
    const recycled = await eventually(
      () => (pool.stats().apps["memory@0.0.0"]?.recycled.memory ?? 0) === 1,
      10_000,
    );
    expect(recycled).toBe(true);
    // the replacement starts from a fresh heap
    expect(await call(pool, bomb)).toMatchObject({ status: 200, text: "ok 0" });
    await othersUnaffected(before);
  });

  it("counts ArrayBuffers against maxMemory too", async () => {
    const before = await warmBystanders();
    const bomb = fixture("buffer-bomb", { maxMemory: 64 * 1024 * 1024 });
    expect(await call(pool, bomb, "/grow")).toMatchObject({ status: 200, text: "hoarding" });
    const stats = () => pool.stats().apps["buffer-bomb@0.0.0"];
    expect(await eventually(() => (stats()?.recycled.memory ?? 0) === 1, 10_000)).toBe(true);
    expect(await call(pool, bomb)).toMatchObject({ status: 200, text: "ok 0" });
    await othersUnaffected(before);
  });

  it("answers 502 to a request in flight on a worker that is recycled for memory", async () => {
    const before = await warmBystanders();
    const bomb = fixture("memory", { version: "2.0.0", maxMemory: 64 * 1024 * 1024, timeout: 20_000 });
    const started = performance.now();
    const { status, text } = await call(pool, bomb, "/grow-and-wait");
    expect(status).toBe(502);
    expect(text).toContain("heap");
    expect(performance.now() - started).toBeLessThan(5000);
    expect(pool.stats().apps["memory@2.0.0"]?.recycled.memory).toBe(1);
    await othersUnaffected(before);
  });
});

describe("request bodies over maxBodySize", () => {
  const server = servePool(pool, (app) => fixture(app, { maxBodySize: 1024 }));
  afterAll(() => server.stop());

  it("answers 413 from the declared length without reaching the worker", async () => {
    const spawnedBefore = pool.stats().apps["upload@0.0.0"]?.spawned ?? 0;
    const response = await fetch(`${server.url}/upload`, { method: "POST", body: new Uint8Array(4096) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_POOL_BODY_TOO_LARGE",
    );
    expect(pool.stats().apps["upload@0.0.0"]?.spawned ?? 0).toBe(spawnedBefore);
    expect((await fetch(`${server.url}/hello`)).status).toBe(200);
  });

  it("answers 413 for a chunked upload once it passes the limit", async () => {
    let chunks = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++chunks > 64) return controller.close();
        controller.enqueue(new Uint8Array(512));
      },
    });
    const response = await fetch(`${server.url}/upload`, {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    await response.arrayBuffer();
    const small = await fetch(`${server.url}/upload`, { method: "POST", body: "tiny" });
    expect(await small.json()).toMatchObject({ bytes: 4 });
  });
});
