import { routeLabelOf } from "@buntime/sdk";

/** The label of requests that fit no route: past `maxRoutes`, or a 404 on a path never seen answered. */
export const OTHER_ROUTE = "other";

/** True when `routeLabelOf(pathname)` is `route` (a route it gave), without cutting it out of the path. */
export function isRouteOf(pathname: string, route: string): boolean {
  if (route === "/") return routeLabelOf(pathname) === "/";
  if (!pathname.startsWith(route)) return false;
  const next = pathname.charCodeAt(route.length);
  // the route ends where the path does, at its next `/`, or at an `@version`
  return Number.isNaN(next) || next === 47 || next === 64;
}
