/**
 * Benchmark: what the metrics and logs plugins' hooks add to each request, measured in process
 * through `kernel.fetch` against the same kernel without them (a `hello` plugin at `/`),
 * alternating, medians of ROUNDS.
 *
 *   bun plugins/metrics/bench/hooks.ts [--rounds 5] [--requests 50000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKernel, type InlinePlugin } from "@buntime/kernel";
import logs from "@buntime/plugin-logs";
import logsPackage from "@buntime/plugin-logs/package.json" with { type: "json" };
import metrics from "@buntime/plugin-metrics";
import { definePlugin } from "@buntime/sdk";
import metricsPackage from "../package.json" with { type: "json" };

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "5" }, requests: { type: "string", default: "50000" } },
});
const rounds = Number(values.rounds);
const requests = Number(values.requests);

const hello: InlinePlugin = {
  packageJson: { name: "hello", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/" } },
  plugin: definePlugin({ setup: () => ({ fetch: () => new Response("hi") }) }),
};
const variants: Record<string, InlinePlugin[]> = {
  "bare kernel": [hello],
  "+ metrics": [hello, { packageJson: metricsPackage, plugin: metrics }],
  "+ logs": [hello, { packageJson: logsPackage, plugin: logs }],
  "+ metrics + logs": [
    hello,
    { packageJson: metricsPackage, plugin: metrics },
    { packageJson: logsPackage, plugin: logs },
  ],
};

const homes: string[] = [];
const kernels = await Promise.all(
  Object.entries(variants).map(async ([name, plugins]) => {
    const home = mkdtempSync(join(tmpdir(), "buntime-bench-hooks-"));
    homes.push(home);
    const kernel = createKernel({ config: { home }, plugins, logSink: () => {} });
    await kernel.start();
    return { name, kernel };
  }),
);

const paths = ["/app-a/x", "/app-b/y?z=1", "/app-c"].map((path) => `http://localhost${path}`);
async function nsPerRequest(fetch: (request: Request) => Promise<Response>): Promise<number> {
  const start = Bun.nanoseconds();
  for (let index = 0; index < requests; index++) {
    await fetch(new Request(paths[index % paths.length] as string));
  }
  return (Bun.nanoseconds() - start) / requests;
}

const runs = new Map<string, number[]>(kernels.map(({ name }) => [name, []]));
try {
  for (const { kernel } of kernels) await nsPerRequest(kernel.fetch); // warm up
  for (let round = 1; round <= rounds; round++) {
    for (const { name, kernel } of kernels) runs.get(name)?.push(await nsPerRequest(kernel.fetch));
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
  const bare = median(runs.get("bare kernel") ?? []);
  for (const [name, list] of runs) {
    const ns = median(list);
    console.log(
      `${name.padEnd(18)} ${(ns / 1000).toFixed(2)} µs/request  (+${((ns - bare) / 1000).toFixed(2)} µs)`,
    );
  }
} finally {
  for (const { kernel } of kernels) await kernel.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}
