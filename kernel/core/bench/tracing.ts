/**
 * What tracing costs on the warm app path: the same kernel (5 plugins with no-op hooks, a
 * plugin sending each request to a warm app in the pool) with tracing off, on with every
 * request sampled, and on at a 10% sample ratio, exporting to an OTLP receiver in this process.
 * Each server runs in its own process; `wrk -c50` loads it; the modes take turns, and each
 * figure is the median of 3 runs, printed beside the target (≤ 5% fewer requests with tracing on).
 *
 *   npx bun kernel/core/bench/tracing.ts   # BENCH_SECONDS per run (default 3); needs wrk
 */
import { join } from "node:path";
import { median, requestsPerSecond, startServer } from "@buntime/test-kit/load";

const SERVER = join(import.meta.dir, "servers", "kernel-traced-app.ts");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RUNS = 3;
const TARGET = 0.05;
const MODES = [
  { label: "tracing off", arg: "off" },
  { label: "tracing on, every request sampled", arg: "1" },
  { label: "tracing on, sampleRatio 0.1", arg: "0.1" },
] as const;

let spans = 0;
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    // counts without decoding much: a collector on another machine would do the decoding
    const body = await request.text();
    spans += body.split('"spanId"').length - 1;
    return Response.json({});
  },
});

const figures = new Map<string, number[]>(MODES.map((mode) => [mode.arg, []]));
for (let run = 0; run < RUNS; run++) {
  for (const mode of MODES) {
    const server = await startServer(SERVER, [mode.arg, `${receiver.url.href}v1/traces`]);
    try {
      figures.get(mode.arg)?.push(await requestsPerSecond(server.url, { connections: 50, seconds: SECONDS }));
    } finally {
      server.process.kill();
      await server.process.exited;
    }
  }
}
receiver.stop(true);

const off = median(figures.get("off") ?? []);
console.log(`warm app path, wrk -c50, ${SECONDS} s per run, median of ${RUNS} (target: tracing costs <= 5%)`);
for (const mode of MODES) {
  const rps = median(figures.get(mode.arg) ?? []);
  const cost =
    mode.arg === "off"
      ? ""
      : `  cost ${((1 - rps / off) * 100).toFixed(1)}%  ${1 - rps / off <= TARGET ? "within" : "over"} target`;
  const runs = (figures.get(mode.arg) ?? []).map((value) => Math.round(value)).join(", ");
  console.log(
    `${mode.label.padEnd(36)} ${Math.round(rps).toString().padStart(7)} req/s  (runs ${runs})${cost}`,
  );
}
console.log(`spans received: ${spans}`);
