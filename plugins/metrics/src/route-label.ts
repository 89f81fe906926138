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

/** True when `routeOf(pathname)` is `route` (a route `routeOf` gave), without cutting it out of the path. */
export function isRouteOf(pathname: string, route: string): boolean {
  if (route === "/") return routeOf(pathname) === "/";
  if (!pathname.startsWith(route)) return false;
  const next = pathname.charCodeAt(route.length);
  // the route ends where the path does, at its next `/`, or at an `@version`
  return Number.isNaN(next) || next === 47 || next === 64;
}
