/**
 * Benchmark: the kernel (5 plugins with no-op onRequest/onResponse hooks + a `hello` plugin at
 * `/`) against a bare Bun.serve hello server, and against one that also sets an `x-request-id`
 * header (the one thing the kernel adds to every response), measured in the same run,
 * alternating, medians of ROUNDS. Target: kernel / bare ratio >= 0.85.
 *
 *   npx bun kernel/core/bench/pipeline.ts [--rounds 3] [--seconds 5] [--connections 50]
 */
import { join } from "node:path";
import { benchArgs, median, RAW_HELLO_SERVER, requestsPerSecond, startServer } from "@buntime/test-kit/load";

const { rounds, load } = benchArgs();

const servers = {
  bare: await startServer(RAW_HELLO_SERVER),
  "bare + x-request-id": await startServer(RAW_HELLO_SERVER, ["--request-id"]),
  "kernel, 5 hook plugins": await startServer(join(import.meta.dir, "servers", "kernel-hello.ts")),
};
type Name = keyof typeof servers;
const runs = Object.fromEntries(Object.keys(servers).map((name) => [name, [] as number[]])) as Record<
  Name,
  number[]
>;
try {
  for (let round = 1; round <= rounds; round++) {
    const line: string[] = [];
    for (const [name, server] of Object.entries(servers) as [Name, (typeof servers)[Name]][]) {
      const rate = await requestsPerSecond(server.url, load);
      runs[name].push(rate);
      line.push(`${name} ${rate.toFixed(0)}`);
    }
    console.log(`round ${round}: ${line.join(" | ")} req/s`);
  }
  const rate = (name: Name) => median(runs[name]);
  for (const name of Object.keys(servers) as Name[]) {
    console.log(`${name.padEnd(24)} ${rate(name).toFixed(0)} req/s (median of ${rounds})`);
  }
  const ratio = rate("kernel, 5 hook plugins") / rate("bare");
  console.log(
    `kernel / bare            ${ratio.toFixed(2)} (target >= 0.85) ${ratio >= 0.85 ? "OK" : "BELOW TARGET"}`,
  );
  console.log(
    `kernel / bare + header   ${(rate("kernel, 5 hook plugins") / rate("bare + x-request-id")).toFixed(2)}`,
  );
} finally {
  for (const server of Object.values(servers)) server.process.kill();
}
