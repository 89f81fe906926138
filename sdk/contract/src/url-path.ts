/** Fast URL path helpers for request hot paths (hooks run on every request). */

/** The pathname of an absolute URL string, without allocating a URL object (hot path). */
export function pathnameOf(url: string): string {
  const authority = url.indexOf("//");
  const start = url.indexOf("/", authority === -1 ? 0 : authority + 2);
  if (start === -1) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query !== -1) end = query;
  const hash = url.indexOf("#", start);
  if (hash !== -1 && hash < end) end = hash;
  return url.slice(start, end);
}

/** True when `pathname` is `base` or below it (`/auth` matches `/auth` and `/auth/x`, not `/authx`). */
export function isUnderBase(pathname: string, base: string): boolean {
  if (base === "/") return true;
  return (
    pathname.startsWith(base) && (pathname.length === base.length || pathname.charCodeAt(base.length) === 47)
  );
}

/**
 * The route label of a path, as access lines and metrics name it: its first segment without its
 * `@version` (`/hello@^1/x` → `/hello`), `/` for the root. Cut by hand: it runs per request.
 */
export function routeLabelOf(pathname: string): string {
  let end = pathname.indexOf("/", 1);
  if (end === -1) end = pathname.length;
  const at = pathname.indexOf("@", 1);
  if (at !== -1 && at < end) end = at;
  return end <= 1 ? "/" : pathname.slice(0, end);
}

/**
 * Hono's `getPath` for a Hono app fetched with the request context as its env
 * (`app.fetch(request, context)`, or a plugin's `routes`): it routes on the canonical
 * `context.pathname`, the path every other plugin decided on, not on the raw URL. Without a
 * context (a direct call in a test) the URL's own path is used.
 *
 * @example
 * const app = new Hono({ getPath: contextPath }).basePath(base);
 * return { fetch: (request, context) => app.fetch(request, context) };
 */
export function contextPath(request: Request, options?: { env?: unknown }): string {
  const pathname = (options?.env as { pathname?: unknown } | undefined)?.pathname;
  return typeof pathname === "string" ? pathname : pathnameOf(request.url);
}
