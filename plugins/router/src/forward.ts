import type { AppAddress } from "./app-path.ts";

/**
 * The request as the app sees it: its base stripped from the path, the query kept, and
 * `x-forwarded-host`, `x-forwarded-proto`, `x-forwarded-prefix` and `x-base` telling it where
 * it is mounted. The body streams through, and the client's abort signal travels with it.
 */
export function forwardRequest(request: Request, address: AppAddress): Request {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
  headers.set("x-forwarded-prefix", address.base);
  headers.set("x-base", address.base);
  return new Request(new URL(address.rest + url.search, url.origin), {
    method: request.method,
    headers,
    body: request.body,
    redirect: "manual",
    signal: request.signal,
    // @ts-expect-error Bun needs duplex for a streamed body; the DOM typings lack it
    duplex: "half",
  });
}
