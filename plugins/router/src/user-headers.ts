/**
 * The identity headers on the way to an app's worker: the router alone sets them, from
 * `locals.user` (see `identityHeadersOf` in the forwarding headers); a client's own copies are
 * always dropped, so an app can trust them.
 */
import { setIdentityHeaders } from "@buntime/sdk";

/** `request` without the client's copies of the headers (method, body and abort signal kept). */
export function withoutIdentityHeaders(request: Request): Request {
  const headers = new Headers(request.headers);
  setIdentityHeaders(headers, undefined);
  return new Request(request.url, {
    method: request.method,
    headers,
    body: request.body,
    signal: request.signal,
  });
}
