/**
 * The guard's policy, decided from method and path alone (synchronously): who may reach a path
 * that is not an app. Apps (`/:app/*`, and the homepage app at `/`) are left to their own
 * `visibility`.
 */
import type { ResolvedAuthConfig } from "./config.ts";
import { pathMatcher } from "./path-patterns.ts";

/** What a request needs: nothing, any user, an admin, or a look at the app it is for. */
export type Requirement = "public" | "user" | "admin" | "app";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const KERNEL_API = "/_/api";

/** True when `pathname` is `base` or below it; `below` is `${base}/`, made once by the caller. */
function under(pathname: string, base: string, below: string): boolean {
  return pathname === base || pathname.startsWith(below);
}

const KERNEL_API_BELOW = `${KERNEL_API}/`;

/** Builds the policy of a set of settings. */
export function createPolicy(
  config: Pick<ResolvedAuthConfig, "publicPaths" | "protectedPaths" | "adminPaths">,
  ownBase: string,
): (method: string, pathname: string) => Requirement {
  const isPublic = pathMatcher(config.publicPaths);
  const isProtected = pathMatcher(config.protectedPaths);
  const isAdmin = pathMatcher(config.adminPaths);
  const ownBelow = `${ownBase}/`;
  return (method, pathname) => {
    if (under(pathname, ownBase, ownBelow)) return "public"; // sign-in pages; its API checks for itself
    if (isPublic(pathname)) return "public";
    if (isAdmin(pathname)) return "admin";
    if (under(pathname, KERNEL_API, KERNEL_API_BELOW)) {
      if (!READ_METHODS.has(method)) return "admin";
      return isProtected(pathname) ? "user" : "public";
    }
    if (isProtected(pathname)) return "user";
    return "app"; // `/` too: the router may serve a homepage app there
  };
}

/** True for kernel API paths. */
export function isKernelApi(pathname: string): boolean {
  return under(pathname, KERNEL_API, KERNEL_API_BELOW);
}
