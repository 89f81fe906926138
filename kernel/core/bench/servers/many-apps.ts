/**
 * A worker pool behind Bun.serve serving `/a<n>/` from app `a<n>` (the hello fixture), for the
 * app-count bench. `--max-workers N` sets the pool's limit (unset: sized by memory). `/__stats`
 * answers the main thread's event-loop lag since the last `/__stats` (lateness of a 10 ms timer:
 * median and worst, ms) and the process RSS, then starts a new window. Prints its URL.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { AppSpec } from "@buntime/sdk";
import { createWorkerPool } from "../../src/pool/index.ts";

const { values } = parseArgs({
  options: { "max-workers": { type: "string" }, "report-ms": { type: "string" } },
});
const dir = join(import.meta.dir, "../../test/pool/fixtures/hello");
const specs = new Map<string, AppSpec>();
function spec(name: string): AppSpec {
  let found = specs.get(name);
  if (found === undefined) {
    found = { name, version: "0.0.0", entry: join(dir, "index.ts"), dir };
    specs.set(name, found);
  }
  return found;
}
const maxWorkers = values["max-workers"] === undefined ? undefined : Number(values["max-workers"]);
const reportMs = values["report-ms"] === undefined ? undefined : Number(values["report-ms"]);
const pool = createWorkerPool({ maxWorkers, memoryReportInterval: reportMs });
const TICK_MS = 10;
let lateness: number[] = [];
let expected = performance.now() + TICK_MS;
setInterval(() => {
  const now = performance.now();
  if (lateness.length < 100_000) lateness.push(Math.max(0, now - expected));
  expected = now + TICK_MS;
}, TICK_MS);

/** The lag window's figures, then a fresh window. */
function stats(): Response {
  const sorted = lateness.sort((a, b) => a - b);
  lateness = [];
  const lagMedian = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return Response.json({ lagMedian, lagMax: sorted.at(-1) ?? 0, rss: process.memoryUsage().rss });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (request) => {
    const name = new URL(request.url).pathname.split("/")[1] ?? "a0";
    return name === "__stats" ? stats() : pool.fetch(spec(name), request);
  },
});
console.log(server.url.href);
