/**
 * Benchmark: requests per second through the kernel (5 no-op hook plugins + a `hello` plugin
 * at `/`) against a bare Bun.serve hello server, measured in the same run, alternating, medians
 * of ROUNDS. Target: ratio >= 0.85.
 *
 *   bun kernel/bench/pipeline.ts [--rounds 3] [--seconds 5] [--connections 50]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median, requestsPerSecond, startServer } from "./support/load.ts";

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
try {
  const rawRuns: number[] = [];
  const kernelRuns: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    rawRuns.push(await requestsPerSecond(raw.url, load));
    kernelRuns.push(await requestsPerSecond(kernel.url, load));
    console.log(
      `round ${round}: raw ${rawRuns.at(-1)?.toFixed(0)} req/s, kernel ${kernelRuns.at(-1)?.toFixed(0)} req/s`,
    );
  }
  const rawMedian = median(rawRuns);
  const kernelMedian = median(kernelRuns);
  const ratio = kernelMedian / rawMedian;
  console.log(`raw Bun.serve     ${rawMedian.toFixed(0)} req/s (median of ${rounds})`);
  console.log(`kernel, 5 hooks   ${kernelMedian.toFixed(0)} req/s (median of ${rounds})`);
  console.log(
    `ratio             ${ratio.toFixed(2)} (target >= 0.85) ${ratio >= 0.85 ? "OK" : "BELOW TARGET"}`,
  );
} finally {
  raw.process.kill();
  kernel.process.kill();
}
