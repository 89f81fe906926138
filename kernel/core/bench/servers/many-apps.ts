/**
 * A worker pool behind Bun.serve serving `/a<n>/` from app `a<n>` (the hello fixture), for the
 * app-count bench. `--max-workers N` sets the pool's limit (unset: sized by memory), `--report-ms`
 * and `--tick-ms` the workers' memory reports and the pool's ticker (experiments). `/__stats`
 * answers the main thread's event-loop lag since the last `/__stats` (lateness of a 10 ms timer:
 * median and worst, ms) and the process RSS, then starts a new window. Prints its URL.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { AppSpec } from "@buntime/sdk";
import { createWorkerPool } from "../../src/pool/index.ts";
import { lagStats } from "../lib/lag.ts";

const { values } = parseArgs({
  options: {
    "max-workers": { type: "string" },
    "report-ms": { type: "string" },
    "tick-ms": { type: "string" },
  },
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
const tickInterval = values["tick-ms"] === undefined ? undefined : Number(values["tick-ms"]);
const pool = createWorkerPool({ maxWorkers, memoryReportInterval: reportMs, tickInterval });
const stats = lagStats();

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (request) => {
    const name = new URL(request.url).pathname.split("/")[1] ?? "a0";
    return name === "__stats" ? stats() : pool.fetch(spec(name), request);
  },
});
// exit cleanly on SIGINT, so `bun --cpu-prof` writes its profile
process.on("SIGINT", () => process.exit(0));
console.log(server.url.href);
