/**
 * Benchmark: what the ratelimit plugin adds to a request in process (`kernel.fetch`, no
 * network), against the same kernel without it: with no rules (the default distribution), with
 * a rule on another path, and with a matching memory-backed rule. Medians of ROUNDS.
 *
 *   bun plugins/ratelimit/bench/hooks.ts [--requests 50000] [--rounds 5]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKernel, type InlinePlugin } from "@buntime/kernel";
import ratelimit from "@buntime/plugin-ratelimit";
import { definePlugin } from "@buntime/sdk";
import ratelimitPackage from "../package.json" with { type: "json" };

const { values } = parseArgs({
  options: { requests: { type: "string", default: "50000" }, rounds: { type: "string", default: "5" } },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);

const hello: InlinePlugin = {
  packageJson: { name: "hello", version: "1.0.0", buntime: { kernel: "*", base: "/" } },
  plugin: definePlugin({ setup: () => ({ fetch: () => new Response("hello") }) }),
};
const limiter: InlinePlugin = { packageJson: ratelimitPackage, plugin: ratelimit };
const huge = { limit: 1_000_000_000, window: "1h" };

const setups: Record<string, { plugins: InlinePlugin[]; rules?: unknown[] }> = {
  "without ratelimit": { plugins: [hello] },
  "ratelimit, no rules": { plugins: [limiter, hello] },
  "ratelimit, rule on another path": { plugins: [limiter, hello], rules: [{ path: "/api/*", ...huge }] },
  "ratelimit, matching rule (memory)": { plugins: [limiter, hello], rules: [{ path: "/*", ...huge }] },
};

async function nsPerRequest(setup: { plugins: InlinePlugin[]; rules?: unknown[] }): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "buntime-bench-"));
  const kernel = createKernel({
    config: { home, port: 0, plugins: { "@buntime/plugin-ratelimit": { rules: setup.rules ?? [] } } },
    plugins: setup.plugins,
    logSink: () => {},
  });
  await kernel.start();
  const request = () => new Request("http://localhost/hello");
  for (let i = 0; i < 2000; i++) await kernel.fetch(request()); // warm up
  const started = Bun.nanoseconds();
  for (let i = 0; i < requests; i++) await kernel.fetch(request());
  const elapsed = Bun.nanoseconds() - started;
  await kernel.stop();
  rmSync(home, { recursive: true, force: true });
  return elapsed / requests;
}

const results = Object.fromEntries(Object.keys(setups).map((name) => [name, [] as number[]]));
for (let round = 0; round < rounds; round++) {
  for (const [name, setup] of Object.entries(setups)) results[name]?.push(await nsPerRequest(setup));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const baseline = median(results["without ratelimit"] ?? []);
for (const [name, runs] of Object.entries(results)) {
  const ns = median(runs);
  console.log(
    `${name.padEnd(36)} ${(ns / 1000).toFixed(2)} µs/request  (+${((ns - baseline) / 1000).toFixed(2)} µs)`,
  );
}
