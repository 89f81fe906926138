/**
 * The baseline: a bare Bun.serve running the bench's handlers (servers/apps.ts) at the same
 * paths as the kernel server. `--defer` answers from a later event-loop turn (setImmediate),
 * as any answer crossing threads does. Prints its URL.
 */
import { BENCH_APPS } from "./apps.ts";

const defer = process.argv.includes("--defer");
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  maxRequestBodySize: 64 * 1024 * 1024,
  fetch(request) {
    const handler = BENCH_APPS[new URL(request.url).pathname.split("/")[1] ?? ""];
    if (handler === undefined) return new Response("not found", { status: 404 });
    if (!defer) return handler(request);
    return new Promise<Response>((resolve) => setImmediate(() => resolve(handler(request))));
  },
});
console.log(server.url.href);
