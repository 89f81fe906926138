/**
 * The worker of servers/bare-workers.ts with `--app`: what any worker serving HTTP per request
 * must do at least, without the pool's runtime. It rebuilds a `Request` from the message, calls
 * the hello fixture's `fetch`, reads the body and posts status, headers and body back. Beside the
 * bare echo it shows how much of the pool's per-request cost in a cold worker is the HTTP objects
 * themselves.
 */
import hello from "../../test/pool/fixtures/hello/index.ts";

/** The app as the pool sees it: a `fetch` taking the request. */
const app = hello as { fetch(request: Request): Response | Promise<Response> };

const scope = globalThis as unknown as Worker;
scope.onmessage = async (
  event: MessageEvent<{ id: number; url: string; headers: Record<string, string> }>,
) => {
  const { id, url, headers } = event.data;
  const response = await app.fetch(new Request(url, { headers }));
  const body = await response.text();
  scope.postMessage({ id, status: response.status, headers: Object.fromEntries(response.headers), body });
};
