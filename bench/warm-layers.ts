/**
 * What each layer of the warm path costs: raw `Bun.serve`, the pool alone behind `Bun.serve`,
 * the kernel with one plugin sending every request to the pool, and the kernel with the router
 * (an app folder, as users run it), all answering `hello`. The servers run side by side and are
 * loaded in rotation by `wrk -t1` (the order turning each round); per run, req/s and the CPU
 * time per request of the server's main thread, its app workers and the whole process, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds). The summary gives medians over the runs and
 * each server's share of raw's req/s.
 *
 *   npx bun bench/warm-layers.ts [--runs 10] [--seconds 2] [--connections 50]
 *
 * Needs wrk (apt-get install wrk) and Linux (/proc).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median, RAW_HELLO_SERVER, startServer } from "@buntime/test-kit/load";
import { allThreadsUs, perRequestUs, threadCpu } from "../kernel/core/bench/lib/threads.ts";
import { wrk } from "../kernel/core/bench/lib/wrk.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    seconds: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const root = join(import.meta.dir, "..");

const RAW = "raw Bun.serve";
const LAYERS: Array<[label: string, script: string, args: string[], env?: Record<string, string>]> = [
  [RAW, RAW_HELLO_SERVER, []],
  ["pool alone", join(root, "kernel/core/bench/tier-hello-server.ts"), ["thread"]],
  // tracing off, and no plugin but the one sending each request to the pool
  [
    "kernel, one plugin to the pool",
    join(root, "kernel/core/bench/servers/kernel-traced-app.ts"),
    ["off"],
    { BENCH_HOOK_PLUGINS: "0" },
  ],
  ["kernel with the router", join(root, "plugins/router/bench/kernel-router-hello.ts"), []],
];

interface Run {
  rps: number;
  mainUs: number;
  workersUs: number;
  processUs: number;
}

const servers = [];
for (const [label, script, args, env] of LAYERS)
  servers.push({ label, ...(await startServer(script, args, env)) });
const results = new Map<string, Run[]>(servers.map((server) => [server.label, []]));
try {
  for (const server of servers) await wrk(server.url, { seconds: 1, connections }); // warm-up
  for (let run = 0; run < runs; run++) {
    for (let turn = 0; turn < servers.length; turn++) {
      const server = servers[(run + turn) % servers.length] as (typeof servers)[number];
      const before = threadCpu(server.process.pid);
      const served = (await wrk(server.url, { seconds, connections })).requests;
      const spent = perRequestUs(before, threadCpu(server.process.pid), served);
      results.get(server.label)?.push({
        rps: served / seconds,
        mainUs: spent.get("main") ?? 0,
        workersUs: spent.get("Worker") ?? 0,
        processUs: allThreadsUs(spent),
      });
    }
    console.log(`run ${run + 1} of ${runs} done`);
  }
} finally {
  for (const server of servers) server.process.kill();
}

const rawRps = median((results.get(RAW) ?? []).map((run) => run.rps));
console.log(`\nmedians of ${runs} runs of ${seconds} s, wrk -t1 -c${connections}; CPU in µs per request`);
for (const [label] of LAYERS) {
  const rows = results.get(label) ?? [];
  const of = (pick: (run: Run) => number) => median(rows.map(pick));
  const rps = of((run) => run.rps);
  const cpu = `main ${of((run) => run.mainUs).toFixed(2)}  app workers ${of((run) => run.workersUs).toFixed(2)}  process ${of((run) => run.processUs).toFixed(2)}`;
  console.log(
    `${label.padEnd(32)} ${rps.toFixed(0).padStart(7)} req/s (${(rps / rawRps).toFixed(2)} of raw)  ${cpu}`,
  );
}
