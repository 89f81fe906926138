import { identityHeadersOf, type RequestUser } from "@buntime/sdk";
import type { AppAddress } from "./app-path.ts";

/** `http://host:port` of an absolute URL string, without parsing it all. */
function originOf(url: string): string {
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  return pathStart === -1 ? url : url.slice(0, pathStart);
}

/** `?query` of an absolute URL string, or "". */
function searchOf(url: string): string {
  const query = url.indexOf("?");
  if (query === -1) return "";
  const hash = url.indexOf("#", query);
  return hash === -1 ? url.slice(query) : url.slice(query, hash);
}

/** The URL and extra headers an app sees in place of the request's own (`null` removes one). */
export interface Forwarding {
  readonly url: string;
  readonly headers: Record<string, string | null>;
}

/**
 * How the app sees the request: its base stripped from the path, the query kept, and
 * `x-forwarded-host`, `x-forwarded-proto`, `x-forwarded-prefix` and `x-base` telling it where
 * it is mounted, plus `x-forwarded-for` set to `client`, the address the kernel's server saw,
 * for an app that asked for it (`null`: it is not given; what the caller sent is dropped either
 * way, so apps can trust its first entry), and `x-buntime-user` / `x-buntime-roles` when someone
 * is signed in. The pool applies these to the request as it encodes it, so the request is never copied.
 */
export function forwardingOf(
  request: Request,
  address: AppAddress,
  client: string | null,
  user: RequestUser | undefined,
): Forwarding {
  const url = request.url;
  const origin = originOf(url);
  const headers: Record<string, string | null> = {
    "x-forwarded-host": origin.slice(origin.indexOf("//") + 2),
    "x-forwarded-proto": origin.slice(0, origin.indexOf(":")),
    "x-forwarded-prefix": address.base,
    "x-base": address.base,
    "x-forwarded-for": client,
  };
  if (user) Object.assign(headers, identityHeadersOf(user));
  return { url: origin + address.rest + searchOf(url), headers };
}
