/**
 * The app-count curve in its steady state. JavaScriptCore compiles each worker's code for that
 * worker alone, once the worker has run it often enough: with requests rotating over many apps a
 * worker sees few of them a second, so for a minute or more the figures measure that compiling,
 * not what a long-running server does (a 1-second run right after one request per app, as
 * app-count-pair.ts and bench:all take, is the coldest case). This loads one server at a time
 * with the rotation over N apps in consecutive windows and prints, per window, req/s and the CPU
 * per request of the server's threads by kind (the main thread, the app workers, the JIT
 * compilers, the collector's helpers, the allocator's scavenger); then per app count the median
 * of the last windows and its share of the first count's.
 *
 *   npx bun kernel/core/bench/app-count-steady.ts [--counts 10,100,200,500] [--windows 12]
 *     [--seconds 5] [--last 4] [--server pool|bare|bare-app]
 *
 * `bare` and `bare-app` are servers/bare-workers.ts (a Worker per app and nothing else; with
 * `--app` its workers build a Request and call the hello app, as the pool's do). Each count takes
 * windows × seconds (one minute by default). Needs wrk (apt-get install wrk) and Linux (/proc).
 */
import { parseArgs } from "node:util";
import { median, startServer } from "@buntime/test-kit/load";
import { BARE_WORKERS_SERVER, MANY_APPS_SERVER, spawnApps } from "./lib/app-count.ts";
import { allThreadsUs, perRequestUs, threadCpu } from "./lib/threads.ts";
import { rotationScript, wrk } from "./lib/wrk.ts";

const { values } = parseArgs({
  options: {
    counts: { type: "string", default: "10,100,200,500" },
    windows: { type: "string", default: "12" },
    seconds: { type: "string", default: "5" },
    last: { type: "string", default: "4" },
    server: { type: "string", default: "pool" },
  },
});
const windows = Number(values.windows);
const seconds = Number(values.seconds);
const last = Math.min(Number(values.last), windows);
const SERVERS: Record<string, [script: string, args: string[]]> = {
  pool: [MANY_APPS_SERVER, []],
  bare: [BARE_WORKERS_SERVER, []],
  "bare-app": [BARE_WORKERS_SERVER, ["--app"]],
};
const chosen = SERVERS[values.server];
if (chosen === undefined) throw new Error(`--server must be one of ${Object.keys(SERVERS).join(", ")}`);

/** The kinds of thread worth a column: what else there is spends well under 1 µs a request. */
const KINDS = ["main", "Worker", "JITWorker", "HeapHelper", "mi-scavenger"];

const steady: Array<{ count: number; rps: number; cpu: number }> = [];
for (const count of values.counts.split(",").map(Number)) {
  const server = await startServer(...chosen);
  const script = rotationScript(count);
  const rates: number[] = [];
  const totals: number[] = [];
  try {
    await spawnApps(server.url, count);
    console.log(`${values.server}, ${count} apps (µs per request: ${KINDS.join(", ")}; all threads)`);
    for (let window = 0; window < windows; window++) {
      const before = threadCpu(server.process.pid);
      const result = await wrk(server.url, { seconds, connections: 50, script });
      const spent = perRequestUs(before, threadCpu(server.process.pid), result.requests);
      const total = allThreadsUs(spent);
      rates.push(result.rps);
      totals.push(total);
      const columns = KINDS.map((kind) => (spent.get(kind) ?? 0).toFixed(1).padStart(6)).join("");
      console.log(
        `  ${String(window + 1).padStart(2)}  ${result.rps.toFixed(0).padStart(6)} req/s ${columns}  ${total.toFixed(1)}`,
      );
    }
  } finally {
    server.process.kill();
  }
  steady.push({ count, rps: median(rates.slice(-last)), cpu: median(totals.slice(-last)) });
}

const base = steady[0];
console.log(`\nsteady state (medians of the last ${last} windows of ${seconds} s):`);
for (const { count, rps, cpu } of steady) {
  const share = base === undefined ? "" : ` (${(rps / base.rps).toFixed(2)} of ${base.count} apps)`;
  console.log(
    `  ${String(count).padStart(4)} apps: ${rps.toFixed(0)} req/s${share}, ${cpu.toFixed(0)} µs of CPU per request`,
  );
}
