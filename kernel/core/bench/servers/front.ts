/**
 * One accepting front for fronts.ts: `Bun.serve` on `--port` with `reusePort`, so several of
 * these (processes, or threads with `--threads N`) share one port and the kernel spreads
 * connections over them. `--pool`: each front answers through a worker pool of its own (the
 * hello fixture as one app), as a kernel would; without it, `hello` at once. Prints its URL once
 * every front listens.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import type { AppSpec } from "@buntime/sdk";
import { createWorkerPool } from "../../src/pool/index.ts";

interface Options {
  port: number;
  pool: boolean;
}

function serve({ port, pool }: Options): void {
  const dir = join(import.meta.dir, "../../test/pool/fixtures/hello");
  const app: AppSpec = { name: "hello", version: "0.0.0", entry: join(dir, "index.ts"), dir };
  const workers = pool ? createWorkerPool({}) : undefined;
  Bun.serve({
    hostname: "127.0.0.1",
    port,
    reusePort: true,
    fetch: workers ? (request) => workers.fetch(app, request) : () => new Response("hello"),
  });
}

if (isMainThread) {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      threads: { type: "string", default: "1" },
      pool: { type: "boolean", default: false },
    },
  });
  const options: Options = { port: Number(values.port), pool: values.pool };
  serve(options);
  const started = [];
  for (let i = 1; i < Number(values.threads); i++) {
    const thread = new Worker(import.meta.path, { workerData: options });
    started.push(new Promise((resolve) => thread.once("online", resolve)));
  }
  await Promise.all(started);
  await Bun.sleep(100 * started.length); // each thread's Bun.serve is up
  console.log(`http://127.0.0.1:${options.port}/`);
} else {
  serve(workerData as Options);
}
