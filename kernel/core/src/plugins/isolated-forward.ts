/**
 * How a request reaches an isolated plugin's worker: as an app sees it (its base stripped from
 * the path, the query kept, `x-forwarded-*` and `x-base` telling it where it is mounted), with
 * the kernel's request id and client address, the verified identity of whoever signed in, and
 * without the credentials plugins consumed (`locals.credentials`) or a client's own copies of
 * the identity headers. The pool applies these as it encodes the request, which is never copied.
 */
import {
  identityHeadersOf,
  type RequestContext,
  ROLES_HEADER,
  USER_HEADER,
  type WorkerPool,
} from "@buntime/sdk";

type RequestOverrides = NonNullable<Parameters<WorkerPool["fetch"]>[2]>;

/** The request's `cookie` header without the cookies named in `drop`; null when none is left. */
function keepCookies(cookie: string, drop: readonly string[]): string | null {
  const kept = cookie
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "" && !drop.includes(pair.split("=", 1)[0]?.trim() ?? ""));
  return kept.length > 0 ? kept.join("; ") : null;
}

/** The URL and headers an isolated plugin mounted at `base` sees for `request`. */
export function isolatedForwarding(
  request: Request,
  base: string,
  context: RequestContext,
): RequestOverrides {
  const url = new URL(request.url);
  // the canonical path the pipeline matched the base on, never the raw one (`/%6eotes` is `/notes`)
  const path = context.pathname;
  const rest = base === "/" ? path : path.slice(base.length);
  const headers: Record<string, string | null> = {
    "x-request-id": context.requestId,
    "x-forwarded-for": context.clientAddress() ?? "unknown",
    "x-forwarded-host": url.host,
    "x-forwarded-proto": url.protocol.slice(0, -1),
    "x-forwarded-prefix": base,
    "x-base": base,
    [USER_HEADER]: null,
    [ROLES_HEADER]: null,
  };
  const { user, credentials } = context.locals;
  if (user) Object.assign(headers, identityHeadersOf(user));
  for (const name of credentials?.headers ?? []) headers[name.toLowerCase()] = null;
  const cookie = request.headers.get("cookie");
  if (cookie !== null && credentials && credentials.cookies.length > 0) {
    headers.cookie = keepCookies(cookie, credentials.cookies);
  }
  return { url: `${url.origin}${rest.startsWith("/") ? rest : `/${rest}`}${url.search}`, headers };
}
