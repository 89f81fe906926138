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
