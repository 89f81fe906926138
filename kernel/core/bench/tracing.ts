/**
 * What tracing costs on the warm app path, in two setups: a kernel alone (5 plugins with no-op
 * hooks and one sending each request to a warm app in the pool, as the router does), and the
 * default distribution (`npm start`: router, auth, rate limit, logs, metrics, … and an app in
 * `<home>/apps`), each with tracing off, on with every request sampled, and on at a 10% sample
 * ratio, exporting to an OTLP receiver in a process of its own (servers/otlp-sink.ts). Each server runs in its own process;
 * `wrk -c50` loads it; the modes take turns, and each figure is the median of 3 runs, printed
 * beside the target (tracing on costs at most 5% of the requests per second).
 *
 *   npx bun kernel/core/bench/tracing.ts   # BENCH_SECONDS per run (default 3), BENCH_RUNS (3); needs wrk
 *   npx bun kernel/core/bench/tracing.ts --kernel-only
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { untilListening } from "@buntime/test-kit/listening";
import { median, requestsPerSecond, startServer } from "@buntime/test-kit/load";

const SERVER = join(import.meta.dir, "servers", "kernel-traced-app.ts");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET = 0.05;
const MODES = [
  { label: "tracing off", ratio: "off" },
  { label: "tracing on, every request sampled", ratio: "1" },
  { label: "tracing on, sampleRatio 0.1", ratio: "0.1" },
] as const;

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
          OTEL_TRACES_SAMPLER_ARG: ratio,
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

async function measure(name: string, start: (ratio: string) => Promise<Target>): Promise<void> {
  const figures = new Map<string, number[]>(MODES.map((mode) => [mode.ratio, []]));
  const cpu = new Map<string, number[]>(MODES.map((mode) => [mode.ratio, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const mode of MODES) {
      const target = await start(mode.ratio);
      try {
        const before = cpuSeconds(target.pid);
        const rps = await requestsPerSecond(target.url, { connections: 50, seconds: SECONDS });
        figures.get(mode.ratio)?.push(rps);
        cpu.get(mode.ratio)?.push(((cpuSeconds(target.pid) - before) / (rps * SECONDS)) * 1e6);
      } finally {
        await target.stop();
      }
    }
  }
  const off = median(figures.get("off") ?? []);
  const offCpu = median(cpu.get("off") ?? []);
  console.log(
    `\n${name}: wrk -c50, ${SECONDS} s per run, median of ${RUNS} (target: tracing on costs <= 5%)`,
  );
  for (const mode of MODES) {
    const rps = median(figures.get(mode.ratio) ?? []);
    const cost = 1 - rps / off;
    const verdict =
      mode.ratio === "off"
        ? ""
        : `  cost ${(cost * 100).toFixed(1)}%, ${cost <= TARGET ? "within" : "over"} target`;
    const runs = (figures.get(mode.ratio) ?? []).map((value) => Math.round(value)).join(", ");
    console.log(
      `  ${mode.label.padEnd(36)} ${Math.round(rps).toString().padStart(7)} req/s  (runs ${runs})${verdict}`,
    );
    const perRequest = median(cpu.get(mode.ratio) ?? []);
    const more = mode.ratio === "off" ? "" : `, +${((perRequest / offCpu - 1) * 100).toFixed(1)}%`;
    console.log(
      `  ${"".padEnd(36)} ${perRequest.toFixed(1).padStart(7)} µs CPU per request (kernel process)${more}`,
    );
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
