import { BuntimeError } from "@buntime/sdk";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** `/api/…`, `/_/api/…` and `/<base>/api/…`: the paths whose writes need a same-origin caller. */
const API_PATH = /^\/(?:[^/]+\/)?api(?:\/|$)/;

/**
 * Refuses a state-changing API request that a browser sent from another site. Browsers
 * name the page's origin in `Origin` (or at least `Sec-Fetch-Site`); clients that are not
 * browsers (CLI, curl) send neither and are left to authentication.
 *
 * @returns the 403 response to send, or undefined to let the request through
 */
export function checkCsrf(
  request: Request,
  pathname: string,
  trustedOrigins: ReadonlySet<string>,
): Response | undefined {
  if (SAFE_METHODS.has(request.method) || !API_PATH.test(pathname)) return undefined;
  const origin = request.headers.get("origin");
  if (origin !== null) {
    if (origin === new URL(request.url).origin || trustedOrigins.has(origin)) return undefined;
  } else if (request.headers.get("sec-fetch-site") !== "cross-site") {
    return undefined;
  }
  return new BuntimeError("BUNTIME_ERR_CSRF_REJECTED", {
    method: request.method,
    path: pathname,
    origin: origin ?? "cross-site",
  }).getResponse();
}
