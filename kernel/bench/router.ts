/**
 * Benchmark: a warm persistent app through kernel + router plugin + worker pool, against a bare
 * Bun.serve hello server measured in the same run, alternating, medians of ROUNDS.
 * Target (issue 3): ratio >= 0.40.
 *
 *   bun kernel/bench/router.ts [--rounds 3] [--seconds 5] [--connections 50]
 */
import { join } from "node:path";
import { benchArgs, median, requestsPerSecond, startServer } from "./support/load.ts";

const { rounds, load } = benchArgs();

const raw = await startServer(join(import.meta.dir, "servers", "raw-hello.ts"));
const kernel = await startServer(join(import.meta.dir, "servers", "kernel-router-hello.ts"));
try {
  const rawRuns: number[] = [];
  const kernelRuns: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    rawRuns.push(await requestsPerSecond(raw.url, load));
    kernelRuns.push(await requestsPerSecond(kernel.url, load));
    console.log(
      `round ${round}: raw ${rawRuns.at(-1)?.toFixed(0)} req/s | kernel+router+worker ${kernelRuns.at(-1)?.toFixed(0)} req/s`,
    );
  }
  const rate = median;
  const ratio = rate(kernelRuns) / rate(rawRuns);
  console.log(`raw Bun.serve              ${rate(rawRuns).toFixed(0)} req/s (median of ${rounds})`);
  console.log(`kernel + router + worker   ${rate(kernelRuns).toFixed(0)} req/s`);
  console.log(
    `ratio                      ${ratio.toFixed(2)} (target >= 0.40) ${ratio >= 0.4 ? "OK" : "BELOW TARGET"}`,
  );
} finally {
  raw.process.kill();
  kernel.process.kill();
}
