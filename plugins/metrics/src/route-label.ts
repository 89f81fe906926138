/** The label of requests that fit no route: past `maxRoutes`, or a 404 on a path never seen answered. */
export const OTHER_ROUTE = "other";

/** The pathname of an absolute URL string, without building a URL object. */
export function pathnameOf(url: string): string {
  const authority = url.indexOf("//");
  const start = url.indexOf("/", authority === -1 ? 0 : authority + 2);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}

/** `/hello@^1/x` → `/hello`: the first path segment without its version; `/` for the root. */
export function routeOf(pathname: string): string {
  let end = pathname.indexOf("/", 1);
  if (end === -1) end = pathname.length;
  const at = pathname.indexOf("@", 1);
  if (at !== -1 && at < end) end = at;
  return end <= 1 ? "/" : pathname.slice(0, end);
}
