/** The label of requests that fit no route: past `maxRoutes`, or a 404 on a path never seen answered. */
export const OTHER_ROUTE = "other";

/** `/hello@^1/x` → `/hello`: the first path segment without its version; `/` for the root. */
export function routeOf(pathname: string): string {
  let end = pathname.indexOf("/", 1);
  if (end === -1) end = pathname.length;
  const at = pathname.indexOf("@", 1);
  if (at !== -1 && at < end) end = at;
  return end <= 1 ? "/" : pathname.slice(0, end);
}
