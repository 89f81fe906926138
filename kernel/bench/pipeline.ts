/**
 * Benchmark: the kernel (5 plugins with no-op onRequest/onResponse hooks + a `hello` plugin at
 * `/`) against a bare Bun.serve hello server, measured in the same run, alternating, medians of
 * ROUNDS. Prints req/s and server CPU µs per request for both, and their ratios.
 * Target: req/s ratio >= 0.85.
 *
 *   bun kernel/bench/pipeline.ts [--rounds 3] [--seconds 5] [--connections 50]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type LoadResult, measure, median, startServer } from "./support/load.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "50" },
  },
});
const rounds = Number(values.rounds);
const load = { seconds: Number(values.seconds), connections: Number(values.connections) };

const raw = await startServer(join(import.meta.dir, "servers", "raw-hello.ts"));
const kernel = await startServer(join(import.meta.dir, "servers", "kernel-hello.ts"));
const show = (result: LoadResult) =>
  `${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMicrosPerRequest.toFixed(2)} µs CPU/req`;
try {
  const rawRuns: LoadResult[] = [];
  const kernelRuns: LoadResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    const rawRun = await measure(raw, load);
    const kernelRun = await measure(kernel, load);
    rawRuns.push(rawRun);
    kernelRuns.push(kernelRun);
    console.log(`round ${round}: raw ${show(rawRun)} | kernel ${show(kernelRun)}`);
  }
  const rate = (runs: LoadResult[]) => median(runs.map((run) => run.requestsPerSecond));
  const cpu = (runs: LoadResult[]) => median(runs.map((run) => run.cpuMicrosPerRequest));
  const ratio = rate(kernelRuns) / rate(rawRuns);
  console.log(
    `raw Bun.serve    ${rate(rawRuns).toFixed(0)} req/s, ${cpu(rawRuns).toFixed(2)} µs CPU/req (medians of ${rounds})`,
  );
  console.log(
    `kernel, 5 hooks  ${rate(kernelRuns).toFixed(0)} req/s, ${cpu(kernelRuns).toFixed(2)} µs CPU/req`,
  );
  console.log(
    `req/s ratio      ${ratio.toFixed(2)} (target >= 0.85) ${ratio >= 0.85 ? "OK" : "BELOW TARGET"}`,
  );
  console.log(
    `CPU ratio        ${(cpu(rawRuns) / cpu(kernelRuns)).toFixed(2)} (raw CPU per request / kernel CPU per request)`,
  );
} finally {
  raw.process.kill();
  kernel.process.kill();
}
