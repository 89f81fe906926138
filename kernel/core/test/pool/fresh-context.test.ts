/** Ephemeral apps with `ephemeral: "context"`: a new node:vm context per request, nothing left over. */
import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppSpec, resolveApp, type WorkerEvent } from "@buntime/sdk";
import type { KernelWorkerPool } from "../../src/pool/index.ts";
import { call, fixture, testPool } from "./helpers.ts";

const pools: KernelWorkerPool[] = [];
const servers: Array<{ stop(force: boolean): void }> = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const server of servers.splice(0)) server.stop(true);
  await Promise.all(pools.splice(0).map((pool) => pool.shutdown()));
});

function track() {
  const spawned: WorkerEvent[] = [];
  const pool = testPool({ onWorkerSpawn: (event) => spawned.push(event) });
  pools.push(pool);
  return { pool, spawned };
}

const contextApp = (name: string, extra: Partial<AppSpec> = {}) =>
  fixture(name, { ttl: 0, ephemeral: "context", standby: 1, ...extra });

describe('ephemeral: "context"', () => {
  it("evaluates the app afresh for every request, in one long-lived thread", async () => {
    const { pool, spawned } = track();
    const seen = [];
    for (let i = 0; i < 6; i++) {
      const { status, text } = await call(pool, contextApp("counter"));
      expect(status).toBe(200);
      seen.push(JSON.parse(text) as { count: number; bootedAt: string });
    }
    expect(seen.map((s) => s.count)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(new Set(seen.map((s) => s.bootedAt)).size).toBe(6);
    expect(spawned).toHaveLength(1);
  });

  it("lets no global, env change, builtin prototype or host object change reach the next request", async () => {
    const { pool } = track();
    for (let i = 0; i < 4; i++) {
      const { status, text } = await call(pool, contextApp("leaky"));
      expect(status).toBe(200);
      expect(JSON.parse(text)).toEqual({ count: 1, seen: [] });
    }
  });

  it("the same probe does find leaks in a persistent app (the probe can fail)", async () => {
    const { pool } = track();
    await call(pool, fixture("leaky"));
    const { text } = await call(pool, fixture("leaky"));
    const second = JSON.parse(text) as { count: number; seen: string[] };
    expect(second.count).toBe(2);
    // every probe but env's can fail (a thread worker's process.env does not keep the write)
    expect(second.seen).toEqual([
      "global",
      "objectPrototype",
      "arrayPrototype",
      "responsePrototype",
      "responseStatic",
      "hostObjectPrototype",
      "hostPromisePrototype",
      "performanceMark",
      "replacedJson",
      "replacedFetch",
    ]);
  });

  it("stops the timers a request left running once its response is sent", async () => {
    const { pool } = track();
    let hits = 0;
    const probe = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        hits++;
        return new Response("ok");
      },
    });
    servers.push(probe);
    const { status } = await call(pool, contextApp("leaky"), `/?probe=${encodeURIComponent(probe.url.href)}`);
    expect(status).toBe(200);
    await Bun.sleep(50);
    const after = hits;
    await Bun.sleep(200);
    expect(hits).toBe(after);
    expect(hits).toBeLessThanOrEqual(1);
  });

  it("serves a bundled app with dependencies (Hono) and concurrent requests", async () => {
    const { pool } = track();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call(pool, contextApp("hono-app", { standby: 2 }), `/hi/n${i}`)),
    );
    expect(answers.map((a) => a.text)).toEqual(Array.from({ length: 12 }, (_, i) => `hi n${i}`));
  });

  it("carries request bodies and streamed responses", async () => {
    const { pool } = track();
    const body = new Uint8Array(300_000).map((_, i) => i % 251);
    const echoed = await pool.fetch(
      contextApp("echo"),
      new Request("http://app.test/", { method: "POST", body }),
    );
    expect(echoed.status).toBe(201);
    expect(new Uint8Array(await echoed.arrayBuffer())).toEqual(body);
    const streamed = await pool.fetch(
      contextApp("stream"),
      new Request("http://app.test/?chunks=20&size=4096"),
    );
    const bytes = new Uint8Array(await streamed.arrayBuffer());
    expect(bytes.length).toBe(20 * 4096);
    expect(bytes[4096 * 3 + 5]).toBe((3 + 5) % 256);
  });

  it("gives the app timers, fetch and Web Crypto", async () => {
    const { pool } = track();
    const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("upstream") });
    servers.push(upstream);
    const { status, text } = await call(
      pool,
      contextApp("fetcher"),
      `/?url=${encodeURIComponent(upstream.url.href)}`,
    );
    expect(status).toBe(200);
    expect(text).toBe("upstream 32");
  });

  it("recycles a thread whose request spins past timeout, and serves the next from a new one", async () => {
    const { pool, spawned } = track();
    const spec = contextApp("loop", { timeout: 300 });
    expect((await call(pool, spec, "/spin")).status).toBe(504);
    const next = await call(pool, spec, "/");
    expect(next).toMatchObject({ status: 200, text: "ok" });
    expect(spawned.length).toBeGreaterThanOrEqual(2);
  });

  it("keeps each app in threads of its own", async () => {
    const { pool, spawned } = track();
    await call(pool, contextApp("counter"));
    await call(pool, contextApp("hono-app"), "/hi/x");
    await call(pool, contextApp("counter"));
    expect(spawned.map((event) => event.app).sort()).toEqual(["counter@0.0.0", "hono-app@0.0.0"]);
    expect(new Set(spawned.map((event) => event.workerId)).size).toBe(2);
  });

  it("fails the load, not each request, when the entry has no fetch", async () => {
    const { pool } = track();
    const { status, text } = await call(pool, contextApp("no-fetch"));
    expect(status).toBe(502);
    expect(text).toContain("BUNTIME_ERR_POOL_WORKER_FAILED");
    expect(text).toContain("default-export { fetch }");
  });

  it("is set in buntime.json, and the app sees its env", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buntime-context-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "buntime.json"),
      JSON.stringify({ ttl: 0, ephemeral: "context", env: { WHO: "ctx" } }),
    );
    writeFileSync(
      join(dir, "index.ts"),
      'export default { fetch: () => new Response("from " + process.env.WHO) };',
    );
    const app = await resolveApp(dir);
    expect(app.ephemeral).toBe("context");
    const { pool } = track();
    expect((await call(pool, app)).text).toBe("from ctx");
  });

  it("refuses an unknown unit of freshness, naming the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buntime-context-"));
    dirs.push(dir);
    writeFileSync(join(dir, "buntime.json"), JSON.stringify({ ttl: 0, ephemeral: "vm" }));
    writeFileSync(join(dir, "index.ts"), "export default { fetch: () => new Response('x') };");
    const error = await resolveApp(dir).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("BUNTIME_ERR_POOL_APP_CONFIG_INVALID");
    expect(String(error)).toContain('buntime.json.ephemeral: expected "worker" or "context"');
  });
});
