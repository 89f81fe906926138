/**
 * What tracing costs on the warm app path, in two setups: a kernel alone (5 plugins with no-op
 * hooks and one sending each request to a warm app in the pool, as the router does), and the
 * default distribution (`npm start`: router, auth, rate limit, logs, metrics, … and an app in
 * `<home>/apps`), each with tracing off, on with the defaults (every new trace sampled, at most
 * 100 a second), on with every request sampled (no limit), and at sample ratio 0.1 with no
 * limit, exporting to an OTLP receiver in a process of its own (servers/otlp-sink.ts). Each
 * server runs in its own process, started once; each round loads every mode in turn with
 * `wrk -c50` (the order rotating from round to round) and prints each mode's requests per second
 * beside tracing off's of the same round, so a neighbour's load falls on both sides of a ratio;
 * a second server with tracing off shows how far the same code differs between two servers.
 * The summary is the median of the rounds' ratios with its 90% bootstrap interval, beside the
 * target (tracing on costs at most 5% of the requests per second): within or over it only when
 * the whole interval is, and the kernel process's CPU time per request.
 *
 *   npx bun kernel/core/bench/tracing.ts   # BENCH_SECONDS per run (default 3), BENCH_RUNS rounds (3),
 *                                           # BENCH_WARM seconds of load before a new server is measured (10); needs wrk
 *   npx bun kernel/core/bench/tracing.ts --kernel-only
 *   npx bun kernel/core/bench/tracing.ts --fresh   # new server processes every round (see restart)
 *   npx bun kernel/core/bench/tracing.ts --fresh --defaults-only   # only off, the defaults and the noise server
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { untilListening } from "@buntime/test-kit/listening";
import { median, requestsPerSecond, startServer } from "@buntime/test-kit/load";
import { medianInterval } from "./lib/interval.ts";

const SERVER = join(import.meta.dir, "servers", "kernel-traced-app.ts");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/**
 * Seconds of load a new server gets before it is measured. JavaScriptCore compiles the code a
 * sampled request runs (spans, the ring) in its optimizing tiers only several seconds into a
 * kernel's life, since few requests run it: a shorter warm-up measures that compiling, not what a
 * kernel in service costs (docs/observability.md, "Twelfth session").
 */
const WARM_SECONDS = Number(process.env.BENCH_WARM ?? 10);
const TARGET = 0.05;
const FRESH = process.argv.includes("--fresh");
/**
 * The second `off` server runs the same code as the first: its "cost" is how far two servers
 * differ by chance on this machine, the noise the other costs are to be read against.
 */
const ALL_MODES = [
  { label: "tracing off", ratio: "off" },
  { label: "tracing on, the defaults", ratio: "1" },
  { label: "every request sampled (unlimited)", ratio: "1:unlimited" },
  { label: "sampleRatio 0.1, unlimited", ratio: "0.1:unlimited" },
  { label: "tracing off, a second server (noise)", ratio: "off" },
] as const;
/**
 * With `--defaults-only`, only tracing off, the defaults and the noise server: the modes that
 * sample every request send the receiver hundreds of megabytes, and its work on them (and their
 * exporters' backlog) lands in whatever runs next.
 */
const MODES = process.argv.includes("--defaults-only")
  ? ALL_MODES.filter((mode) => mode.ratio === "off" || mode.ratio === "1")
  : ALL_MODES;
const NOISE = MODES.length - 1;

const sink = await startServer(join(import.meta.dir, "servers", "otlp-sink.ts"));
const RECEIVER = sink.url;

/** A running server to load: its URL, its process and how to stop it. */
interface Target {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * CPU seconds process `pid` has used (all its threads: the kernel and the app's worker), from
 * /proc. Beside requests per second, CPU per request barely moves when other work shares the
 * machine, which throughput does a lot.
 */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
}

async function kernelAlone(ratio: string): Promise<Target> {
  const server = await startServer(SERVER, [ratio, RECEIVER]);
  return {
    url: server.url,
    pid: server.process.pid,
    stop: async () => {
      server.process.kill();
      await server.process.exited;
    },
  };
}

async function distribution(ratio: string): Promise<Target> {
  const home = mkdtempSync(join(tmpdir(), "buntime-bench-"));
  mkdirSync(join(home, "apps", "hello"), { recursive: true });
  writeFileSync(
    join(home, "apps", "hello", "index.ts"),
    `export default { fetch: () => new Response("hello") };`,
  );
  const tracing: Record<string, string> =
    ratio === "off"
      ? {}
      : {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: RECEIVER,
          OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
          OTEL_TRACES_SAMPLER_ARG: ratio.split(":")[0] as string,
          ...(ratio.includes(":") && { BUNTIME_MAX_TRACES_PER_SECOND: ratio.split(":")[1] as string }),
        };
  const child = startDefaultDistribution(
    home,
    { BUNTIME_LOG_LEVEL: "warn", ...tracing },
    { stderr: "ignore" },
  );
  const { url } = await untilListening(child.stdout, 60_000);
  const app = new URL("/hello/", url).href;
  await (await fetch(app)).text(); // the app's worker is warm before the load starts
  return {
    url: app,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

/**
 * Resolves once `target` is idle (under 10% of a core over half a second: a distribution
 * publishes its bundled packages to its registry after it starts), or after 30 seconds.
 */
async function settled(target: Target): Promise<void> {
  for (const deadline = performance.now() + 30_000; performance.now() < deadline; ) {
    const before = cpuSeconds(target.pid);
    await Bun.sleep(500);
    if (cpuSeconds(target.pid) - before < 0.05) return;
  }
}

/** One run's figures: requests per second, and the kernel process's CPU microseconds per request. */
interface Run {
  readonly rps: number;
  readonly cpu: number;
}

async function load(target: Target, seconds = SECONDS): Promise<Run> {
  const before = cpuSeconds(target.pid);
  const rps = await requestsPerSecond(target.url, { connections: 50, seconds });
  return { rps, cpu: ((cpuSeconds(target.pid) - before) / (rps * seconds)) * 1e6 };
}

/** Loads a new server for `WARM_SECONDS`, so its code is compiled before it is measured. */
async function warm(target: Target): Promise<void> {
  await load(target, WARM_SECONDS);
}

/**
 * A new server in place of `target`, settled and warmed (see `WARM_SECONDS`). Two processes running the
 * same code can differ by 10% and more for a whole run (how the JIT compiled its hot paths, where
 * its memory landed), so with `--fresh` each round measures new processes: the rounds' median
 * then spans several draws instead of one per mode.
 */
async function restart(
  target: Target,
  ratio: string,
  start: (ratio: string) => Promise<Target>,
): Promise<Target> {
  await target.stop();
  const fresh = await start(ratio);
  await settled(fresh);
  await warm(fresh);
  return fresh;
}

/**
 * The target's verdict on a cost known to lie between `low` and `high`: a median alone would call
 * a cost within or over the target on the noise of the run.
 */
function verdict(low: number, high: number): string {
  if (high <= TARGET) return "within target";
  if (low > TARGET) return "over target";
  return "not decided: the interval spans the target (more rounds narrow it)";
}

const percent = (ratio: number) => `${ratio >= 0 ? "+" : ""}${(ratio * 100).toFixed(1)}%`;

async function measure(name: string, start: (ratio: string) => Promise<Target>): Promise<void> {
  const targets: Target[] = [];
  try {
    for (const mode of MODES) targets.push(await start(mode.ratio));
    for (const target of targets) await settled(target);
    for (const target of targets) await warm(target);
    console.log(
      `\n${name}: wrk -c50, ${SECONDS} s per run, ${RUNS} rounds${FRESH ? " of new processes" : ""} (target: tracing on costs <= 5%)`,
    );
    const costs = MODES.map(() => [] as number[]);
    const cpus = MODES.map(() => [] as number[]);
    const rates = MODES.map(() => [] as number[]);
    for (let round = 0; round < RUNS; round++) {
      const runs: Run[] = [];
      for (let turn = 0; turn < MODES.length; turn++) {
        const index = (round + turn) % MODES.length; // each round starts with the next mode
        if (FRESH && round > 0)
          targets[index] = await restart(
            targets[index] as Target,
            (MODES[index] as (typeof MODES)[number]).ratio,
            start,
          );
        runs[index] = await load(targets[index] as Target);
      }
      const off = runs[0] as Run;
      const line = runs.map((run, index) => {
        rates[index]?.push(run.rps);
        if (index === 0) return `off ${Math.round(run.rps)} req/s ${run.cpu.toFixed(1)} µs`;
        const cost = 1 - run.rps / off.rps;
        costs[index]?.push(cost);
        cpus[index]?.push(run.cpu / off.cpu - 1);
        return `${MODES[index]?.ratio} ${Math.round(run.rps)} (${percent(-cost)}) ${run.cpu.toFixed(1)} µs (${percent(run.cpu / off.cpu - 1)})`;
      });
      console.log(`  round ${round + 1}: ${line.join(" | ")}`);
    }
    for (const [index, mode] of MODES.entries()) {
      const rps = median(rates[index] ?? []);
      if (index === 0) {
        console.log(`  ${mode.label.padEnd(36)} ${Math.round(rps).toString().padStart(7)} req/s (median)`);
        continue;
      }
      const cost = median(costs[index] ?? []);
      const [low, high] = medianInterval(costs[index] ?? []);
      console.log(
        `  ${mode.label.padEnd(36)} ${Math.round(rps).toString().padStart(7)} req/s (median)  cost ${(cost * 100).toFixed(1)}% (median of the rounds' ratios; 90% interval ${(low * 100).toFixed(1)} to ${(high * 100).toFixed(1)}%), ${index === NOISE ? "the noise: the same code" : verdict(low, high)}; CPU per request ${percent(median(cpus[index] ?? []))}`,
      );
    }
  } finally {
    for (const target of targets) await target.stop();
  }
}

await measure("kernel alone, one plugin dispatching to a warm app", kernelAlone);
if (!process.argv.includes("--kernel-only"))
  await measure("default distribution, warm app /hello/", distribution);
sink.process.kill("SIGTERM");
let received = "";
// startServer has read the URL line off stdout already; the rest is the total
for (const reader = (sink.process.stdout as ReadableStream<Uint8Array>).getReader(); ; ) {
  const { value, done } = await reader.read();
  if (done) break;
  received += new TextDecoder().decode(value);
}
received = received.trim();
console.log(`\nOTLP received: ${received} MB`);
