/**
 * The thread hop without the pool: Bun.serve handing `/a<n>/` to its own bare Worker (one per
 * n, made on first use) by postMessage, the worker answering `hello`. Run against the app-count
 * rotation, it shows what spreading requests over many threads costs in Bun itself.
 * `--app`: each worker builds a Request, calls the hello app and reads its Response
 * (bare-worker-app.ts) instead of echoing. `/__stats` as in many-apps.ts. Prints its URL.
 */
import { lagStats } from "../lib/lag.ts";

const WORKER = new URL(
  process.argv.includes("--app") ? "./bare-worker-app.ts" : "./bare-worker-echo.ts",
  import.meta.url,
).href;
const workers = new Map<string, Worker>();
const waiting = new Map<number, (response: Response) => void>();
let sequence = 0;

function workerFor(name: string): Worker {
  let worker = workers.get(name);
  if (worker === undefined) {
    worker = new Worker(WORKER);
    worker.onmessage = (event: MessageEvent<{ id: number; body: string }>) => {
      waiting.get(event.data.id)?.(new Response(event.data.body));
      waiting.delete(event.data.id);
    };
    workers.set(name, worker);
  }
  return worker;
}

const stats = lagStats();
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const name = new URL(request.url).pathname.split("/")[1] ?? "a0";
    if (name === "__stats") return stats();
    const id = ++sequence;
    return new Promise<Response>((resolve) => {
      waiting.set(id, resolve);
      workerFor(name).postMessage({ id, url: request.url, headers: request.headers.toJSON() });
    });
  },
});
console.log(server.url.href);
