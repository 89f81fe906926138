/**
 * Issue 19's figures in one run, each beside raw Bun.serve (or its own baseline) and its target:
 * warm hello at 50 and 200 connections, 1 KB echo, 64 KB and 1 MB responses, a 10 MB upload and a
 * 50 ms handler through the kernel with the router only and with the default distribution's
 * per-request plugins; warm hello in the thread and process tiers (the pool alone, no plugins); ephemeral apps at 5 connections against a bare spawn-a-Worker-per-request
 * server; the app-count curve with event-loop lag and RSS, beside bare Workers'; and the deferred-response reproduction
 * (raw Bun.serve answering from a later event-loop turn). Servers run in their own processes and
 * are measured in turn within each round; a ratio is the median of the per-round ratios.
 *
 *   npm run bench:all [-- --quick] [-- --rounds 3 --seconds 3 --json out.json]
 *
 * Default ≈ 7½ minutes on 2 cores; `--quick` (1 s runs, 4 app counts) ≈ 3 minutes.
 * Needs wrk (apt-get install wrk).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median, startServer } from "@buntime/test-kit/load";
import {
  APP_COUNTS,
  type AppCountPoint,
  BARE_WORKERS_SERVER,
  measureAppCount,
} from "../kernel/core/bench/lib/app-count.ts";
import { wrk } from "../kernel/core/bench/lib/wrk.ts";
import { startPoolServer } from "../kernel/core/bench/pool.ts";
import { type Figure, figures, type ServerName } from "./figures.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string" },
    json: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds ?? (values.quick ? 1 : 3));
if (!(rounds >= 1 && seconds >= 1)) throw new Error("--rounds and --seconds must be positive numbers");
const counts = values.quick ? [1, 10, 100, 500] : APP_COUNTS;
const started = performance.now();

/** One figure's medians per server, and the kernels' ratios to the first server. */
export interface FigureResult {
  name: string;
  target?: string;
  rps: Record<string, number>;
  p50: Record<string, number>;
  ratio: Record<string, number>;
  failed: number;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : 2) : "n/a");
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);

/** Runs `servers` (name → URL) in turn for `rounds` rounds; ratios are against the first one. */
async function compare(
  name: string,
  servers: Array<[string, string]>,
  load: { connections: number; script?: string },
  target?: string,
): Promise<FigureResult> {
  for (const [, url] of servers) await wrk(url, { ...load, seconds: 1 }); // warm-up
  const runs = new Map(servers.map(([server]) => [server, [] as Awaited<ReturnType<typeof wrk>>[]]));
  for (let round = 0; round < rounds; round++)
    for (const [server, url] of servers) runs.get(server)?.push(await wrk(url, { ...load, seconds }));
  const result: FigureResult = { name, target, rps: {}, p50: {}, ratio: {}, failed: 0 };
  const base = runs.get(servers[0]?.[0] ?? "") ?? [];
  for (const [server, list] of runs) {
    result.rps[server] = median(list.map((run) => run.rps));
    result.p50[server] = median(list.map((run) => run.p50));
    result.ratio[server] = median(list.map((run, i) => run.rps / (base[i]?.rps ?? Number.NaN)));
    result.failed += list.reduce((sum, run) => sum + run.failed, 0);
  }
  const parts = Object.keys(result.rps).map(
    (server) =>
      `${server} ${fmt(result.rps[server] as number)} req/s (${fmt(result.ratio[server] as number)}, p50 ${fmt(result.p50[server] as number)} ms)`,
  );
  log(`${name}: ${parts.join(" | ")}${result.failed ? ` — ${result.failed} FAILED` : ""}`);
  return result;
}

const TIER_SERVER = join(import.meta.dir, "../kernel/core/bench/tier-hello-server.ts");
const SERVERS: Record<ServerName, [string, string[]]> = {
  raw: [join(import.meta.dir, "servers/raw-apps.ts"), []],
  "raw deferred": [join(import.meta.dir, "servers/raw-apps.ts"), ["--defer"]],
  "router only": [join(import.meta.dir, "servers/kernel-apps.ts"), ["--plugins", "router"]],
  "default-like": [join(import.meta.dir, "servers/kernel-apps.ts"), ["--plugins", "default"]],
  "thread tier (pool only)": [TIER_SERVER, ["thread"]],
  "process tier (pool only)": [TIER_SERVER, ["process"]],
};
/** The process tier's sandbox needs bubblewrap: without it, its figure is left out. */
const sandboxed = Bun.which("bwrap") !== null;
if (!sandboxed) log("no bwrap: the process tier's figure is left out (apt-get install bubblewrap)");

const results: FigureResult[] = [];
const running = new Map<ServerName, Awaited<ReturnType<typeof startServer>>>();
try {
  for (const [name, [script, args]] of Object.entries(SERVERS) as [ServerName, [string, string[]]][]) {
    if (name === "process tier (pool only)" && !sandboxed) continue;
    running.set(name, await startServer(script, args));
  }
  for (const figure of figures()) {
    if (figure.servers.some((server) => !running.has(server))) continue;
    const urls = figure.servers.map((server): [string, string] => [
      server,
      new URL(figure.path, running.get(server)?.url).href,
    ]);
    const result = await compare(figure.name, urls, figure, figure.target?.label);
    if (figure.target?.of !== undefined) adjustToIdeal(result, figure);
    results.push(result);
  }
} finally {
  for (const server of running.values()) server.process.kill();
}

/** For figures judged against an ideal rate (the 50 ms handler): ratios against that rate. */
function adjustToIdeal(result: FigureResult, figure: Figure): void {
  for (const server of Object.keys(result.rps))
    result.ratio[server] = (result.rps[server] as number) / (figure.target?.of as number);
}

const bare = await startPoolServer("bare");
const ephemeral = await startPoolServer("ephemeral");
const contexts = await startPoolServer("ephemeral-context");
try {
  results.push(
    await compare(
      "ephemeral (ttl 0), 5 connections",
      [
        ["bare spawn per request", bare.url],
        ["pool ephemeral", ephemeral.url],
        ["pool ephemeral, fresh contexts", contexts.url],
      ],
      { connections: 5 },
      "≥ 0.90 of bare spawn-per-request (fresh workers) or ≥ 3× (fresh contexts)",
    ),
  );
} finally {
  bare.stop();
  ephemeral.stop();
  contexts.stop();
}

// the pool's curve, and beside it the bare one: Bun.serve handing each app path to its own
// Worker (no pool), what spreading requests over that many threads costs in Bun itself
const curve: AppCountPoint[] = [];
const bareCurve: AppCountPoint[] = [];
for (const count of counts) {
  const point = await measureAppCount(count, { rounds, seconds, connections: 50 });
  curve.push(point);
  log(
    `${count} apps round-robin: ${fmt(point.rps)} req/s, p50 ${fmt(point.p50)} ms, event-loop lag median ${fmt(point.lagMedian)} ms max ${fmt(point.lagMax)} ms, RSS ${fmt(point.rssMb)} MB, CPU ${fmt(point.cpuUs)} µs and ${fmt(point.switches)} context switches per request${point.failed ? ` — ${point.failed} FAILED` : ""}`,
  );
  const bareWorkers = await measureAppCount(count, {
    rounds,
    seconds,
    connections: 50,
    server: BARE_WORKERS_SERVER,
  });
  bareCurve.push(bareWorkers);
  log(`${count} apps, bare Worker per app: ${fmt(bareWorkers.rps)} req/s, RSS ${fmt(bareWorkers.rssMb)} MB`);
}

console.log(
  "\n| figure | servers (req/s, share of the first) | target | failed requests |\n|---|---|---|---|",
);
for (const result of results) {
  const cells = Object.keys(result.rps).map(
    (server) => `${server} ${fmt(result.rps[server] as number)} (${fmt(result.ratio[server] as number)})`,
  );
  console.log(`| ${result.name} | ${cells.join("; ")} | ${result.target ?? ""} | ${result.failed} |`);
}
const ten = curve.find((point) => point.count === 10)?.rps ?? Number.NaN;
const bareTen = bareCurve.find((point) => point.count === 10)?.rps ?? Number.NaN;
console.log(
  "\n| apps | req/s | share of 10 apps | p50 ms | lag median / max ms | RSS MB | CPU µs / switches per request | bare Worker per app: req/s (share of its 10 apps) |\n|---|---|---|---|---|---|---|---|",
);
for (const [i, point] of curve.entries()) {
  const share = point.rps / ten;
  const verdict = point.count >= 100 ? (share >= 0.5 ? " OK" : " below 0.5") : "";
  const bareRps = bareCurve[i]?.rps ?? Number.NaN;
  console.log(
    `| ${point.count} | ${fmt(point.rps)} | ${fmt(share)}${verdict} | ${fmt(point.p50)} | ${fmt(point.lagMedian)} / ${fmt(point.lagMax)} | ${fmt(point.rssMb)} | ${fmt(point.cpuUs)} / ${fmt(point.switches)} | ${fmt(bareRps)} (${fmt(bareRps / bareTen)}) |`,
  );
}
const total = (performance.now() - started) / 1000;
console.log(`\n${rounds} rounds of ${seconds} s, ${total.toFixed(0)} s in all`);
if (values.json)
  writeFileSync(values.json, JSON.stringify({ rounds, seconds, results, curve, bareCurve }, null, 2));
