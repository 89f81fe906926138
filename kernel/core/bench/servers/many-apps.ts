/**
 * A worker pool behind Bun.serve serving `/a<n>/` from app `a<n>` (the hello fixture), for the
 * app-count bench. `--max-workers N` sets the pool's limit (unset: sized by memory). Prints its URL.
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
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (request) => pool.fetch(spec(new URL(request.url).pathname.split("/")[1] ?? "a0"), request),
});
console.log(server.url.href);
