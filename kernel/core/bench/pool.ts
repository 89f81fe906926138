/**
 * Worker pool benchmark: the pool alone behind Bun.serve against a raw Bun.serve measured in
 * the same run. Each server runs in its own process, `wrk` generates the load from another;
 * every figure is the median of 3 runs.
 *
 *   npx bun kernel/core/bench/pool.ts            # all scenarios (needs `wrk` on PATH)
 *   npx bun kernel/core/bench/pool.ts serve MODE # one server (used by the driver)
 *   npx bun kernel/core/bench/pool.ts ephemeral  # only the ephemeral figures (≈ 30 s)
 *
 * BENCH_SECONDS sets the length of each wrk run (default 4); BENCH_SPAWNS and BENCH_CLOSING
 * override the pool's maxConcurrentSpawns and maxClosingWorkers for experiments.
 */
import { join } from "node:path";
import type { AppSpec } from "@buntime/sdk";
import { startServer } from "@buntime/test-kit/load";
import { createWorkerPool } from "../src/pool/index.ts";
import { postScript, type WrkResult, wrk } from "./lib/wrk.ts";

const FIXTURES = join(import.meta.dir, "../test/pool/fixtures");
const RUNS = 3;
const DURATION = Number(process.env.BENCH_SECONDS ?? 4);

function app(name: string, extra: Partial<AppSpec> = {}): AppSpec {
  return { name, version: "0.0.0", entry: join(FIXTURES, name, "index.ts"), ...extra };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

// ---------------------------------------------------------------- servers (child processes)

function serve(mode: string): void {
  const pool = createWorkerPool({
    maxWorkers: 512,
    maxConcurrentSpawns: Number(process.env.BENCH_SPAWNS ?? 2),
    maxClosingWorkers: Number(process.env.BENCH_CLOSING ?? 8),
  });
  const specs: Record<string, AppSpec> = {
    hello: app("hello"),
    echo: { name: "echo", version: "0.0.0", entry: join(import.meta.dir, "apps/echo/index.ts") },
    slow: app("slow"),
    ephemeral: app("hello", { name: "hello-ephemeral", ttl: 0, concurrency: 8, standby: 3, maxQueue: 256 }),
    // the same app, fresh by node:vm contexts in two long-lived threads instead of a worker each
    "ephemeral-context": app("hello", {
      name: "hello-context",
      ttl: 0,
      ephemeral: "context",
      concurrency: 8,
      standby: 2,
      maxQueue: 256,
    }),
  };
  const workerUrl = new URL("./bare-worker.ts", import.meta.url).href;
  const handlers: Record<string, (request: Request) => Response | Promise<Response>> = {
    raw: async (request) => {
      if (request.method === "POST") return new Response(await request.arrayBuffer());
      return new Response("hello");
    },
    bare: () =>
      new Promise<Response>((resolve) => {
        const worker = new Worker(workerUrl);
        worker.onmessage = (event: MessageEvent<string>) => {
          resolve(new Response(event.data));
          worker.terminate();
        };
      }),
  };
  const spec = specs[mode];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: handlers[mode] ?? ((request) => pool.fetch(spec as AppSpec, request)),
  });
  process.on("SIGINT", () => process.exit(0)); // a clean exit, so `bun --cpu-prof` writes its profile
  console.log(server.url.href);
}

function rssPerApp(count: number): void {
  const pool = createWorkerPool({ maxWorkers: count + 8, maxConcurrentSpawns: 2 });
  const run = async () => {
    await pool.fetch(app("hello", { name: "warmup" }), new Request("http://x/"));
    await Bun.sleep(500);
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const firsts: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const response = await pool.fetch(app("hello", { name: `app-${i}` }), new Request("http://x/"));
      await response.text();
      firsts.push(performance.now() - started);
    }
    await Bun.sleep(1500);
    Bun.gc(true);
    const after = process.memoryUsage().rss;
    console.log(
      JSON.stringify({
        perApp: (after - before) / count,
        spawnToFirst: median(firsts),
        workers: pool.stats().workers,
      }),
    );
    await pool.shutdown();
    process.exit(0);
  };
  void run();
}

// ---------------------------------------------------------------- driver

/** Starts this file's `serve MODE` in its own process (also used by bench/all.ts). */
export async function startPoolServer(mode: string): Promise<{ url: string; stop: () => void }> {
  const { url, process: child } = await startServer(import.meta.path, ["serve", mode]);
  for (let i = 0; i < 3; i++) await (await fetch(url)).text();
  return { url, stop: () => child.kill() };
}

/** wrk with this bench's defaults: DURATION seconds, `clients` connections. */
const run = (url: string, clients: number, script?: string, seconds = DURATION) =>
  wrk(url, { connections: clients, seconds, script });

function summarize(runs: WrkResult[]): WrkResult {
  return {
    rps: median(runs.map((r) => r.rps)),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    failed: runs.reduce((sum, r) => sum + r.failed, 0),
  };
}

/**
 * Measures a baseline server and a pool server in alternation (baseline, pool, baseline, …), so
 * load from anything else on the machine hits both alike; the ratio is the median of per-pair ratios.
 */
async function measurePair(
  baseline: string,
  mode: string,
  clients: number,
  script?: string,
): Promise<{ base: WrkResult; pool: WrkResult; ratio: number }> {
  const servers = [await startPoolServer(baseline), await startPoolServer(mode)];
  try {
    for (const server of servers) await run(server.url, clients, script, 1);
    const base: WrkResult[] = [];
    const pool: WrkResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(await run((servers[0] as { url: string }).url, clients, script));
      pool.push(await run((servers[1] as { url: string }).url, clients, script));
    }
    const ratios = pool.map((run, i) => run.rps / (base[i] as WrkResult).rps);
    return { base: summarize(base), pool: summarize(pool), ratio: median(ratios) };
  } finally {
    for (const server of servers) server.stop();
  }
}

async function measure(mode: string, clients: number, script?: string): Promise<WrkResult> {
  const server = await startPoolServer(mode);
  try {
    await run(server.url, clients, script, 1);
    const runs: WrkResult[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run(server.url, clients, script));
    return summarize(runs);
  } finally {
    server.stop();
  }
}

/** Offered loads for the ephemeral open-loop runs: below saturation, where standby workers keep spawns off the request path. */
const OPEN_LOOP_RATES = [100, 200, 300, 400];

/**
 * Sends requests on a fixed schedule (`rate` per second for `seconds`) whatever the answers'
 * pace, unlike wrk's closed loop, where each client waits for its previous answer and, once
 * the server is saturated, the latency measured is just clients / throughput.
 */
async function openLoop(url: string, rate: number, seconds: number): Promise<WrkResult> {
  const total = rate * seconds;
  const started = performance.now();
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    const sent = fetch(url, { signal: AbortSignal.timeout(10_000) }).then(async (response) => {
      await response.arrayBuffer();
      if (response.ok) latencies.push(performance.now() - due);
      else failed++;
    });
    pending.push(sent.catch(() => void failed++));
  }
  await Promise.all(pending);
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
  return { rps: (total - failed) / seconds, requests: total - failed, p50: at(0.5), p99: at(0.99), failed };
}

/** Medians of RUNS open-loop runs of 2 s against one server. */
async function measureOpenLoop(mode: string, rate: number): Promise<WrkResult> {
  const server = await startPoolServer(mode);
  try {
    const runs: WrkResult[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await openLoop(server.url, rate, 2));
    return summarize(runs);
  } finally {
    server.stop();
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : 2) : "n/a");

/** Ephemeral hello at 5 clients: bare spawn-per-request against fresh workers and fresh contexts. */
async function driveEphemeral(): Promise<void> {
  for (const mode of ["ephemeral", "ephemeral-context"]) {
    const { base, pool, ratio } = await measurePair("bare", mode, 5);
    console.log(
      `${mode} (5 clients): bare spawn-per-request ${fmt(base.rps)} req/s p50 ${fmt(base.p50)} ms; pool ${fmt(pool.rps)} req/s p50 ${fmt(pool.p50)} ms p99 ${fmt(pool.p99)} ms; ratio ${ratio.toFixed(2)} (targets >= 0.9 fresh workers, >= 3 fresh contexts)`,
    );
  }
}

async function drive(): Promise<void> {
  const post = postScript(1024);

  const hello = await measurePair("raw", "hello", 50);
  console.log(
    `warm hello (50 clients): raw ${fmt(hello.base.rps)} req/s, pool ${fmt(hello.pool.rps)} req/s, ratio ${hello.ratio.toFixed(2)} (target >= 0.40)`,
  );

  const echo = await measurePair("raw", "echo", 50, post);
  console.log(
    `1 KB POST echo (50 clients): raw ${fmt(echo.base.rps)} req/s, pool ${fmt(echo.pool.rps)} req/s, ratio ${echo.ratio.toFixed(2)}`,
  );

  const slow = await measure("slow", 50);
  console.log(
    `50 ms handler (50 clients): pool ${fmt(slow.rps)} req/s, ideal 1000, ratio ${(slow.rps / 1000).toFixed(2)} (target >= 0.90)`,
  );

  const ephemeral = await measurePair("bare", "ephemeral", 5);
  console.log(
    `ephemeral hello (5 clients): bare spawn-per-request ${fmt(ephemeral.base.rps)} req/s p50 ${fmt(ephemeral.base.p50)} ms p99 ${fmt(ephemeral.base.p99)} ms`,
  );
  console.log(
    `  pool ${fmt(ephemeral.pool.rps)} req/s p50 ${fmt(ephemeral.pool.p50)} ms p99 ${fmt(ephemeral.pool.p99)} ms, ratio ${ephemeral.ratio.toFixed(2)} (targets p50 <= 5, p99 <= 50, >= 0.8)`,
  );

  for (const rate of OPEN_LOOP_RATES) {
    const bare = await measureOpenLoop("bare", rate);
    const pool = await measureOpenLoop("ephemeral", rate);
    console.log(
      `  at a steady ${rate} req/s offered: bare p50 ${fmt(bare.p50)} ms p99 ${fmt(bare.p99)} ms, pool p50 ${fmt(pool.p50)} ms p99 ${fmt(pool.p99)} ms (${bare.failed + pool.failed} failed)`,
    );
  }

  const memory: Array<{ perApp: number; spawnToFirst: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const child = Bun.spawn([process.execPath, import.meta.path, "rss", "200"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    memory.push(JSON.parse(await new Response(child.stdout).text()));
  }
  const perApp = median(memory.map((m) => m.perApp)) / 1024 / 1024;
  const spawnToFirst = median(memory.map((m) => m.spawnToFirst));
  console.log(
    `200 persistent apps: ${perApp.toFixed(2)} MB RSS per idle app (target <= 8), spawn to first response ${spawnToFirst.toFixed(2)} ms (target <= 5)`,
  );
}

const [command, argument] = process.argv.slice(2);
if (import.meta.main) {
  if (command === "serve") serve(argument ?? "hello");
  else if (command === "rss") rssPerApp(Number(argument ?? 200));
  else if (command === "ephemeral") await driveEphemeral();
  else await drive();
}
