/**
 * A worker pool behind Bun.serve answering with the `hello` fixture app in the tier named by
 * the first argument (`thread` or `process`). Prints its URL. Used by process-tier.ts.
 */
import { join } from "node:path";
import type { IsolationTier } from "@buntime/sdk";
import { createWorkerPool } from "../src/pool/index.ts";

const tier = (process.argv[2] ?? "thread") as IsolationTier;
const dir = join(import.meta.dir, "../test/pool/fixtures/hello");
const hello = { name: "hello", version: "0.0.0", entry: join(dir, "index.ts"), dir, isolation: tier };
const pool = createWorkerPool();
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => pool.fetch(hello, request) });
console.log(server.url.href);
