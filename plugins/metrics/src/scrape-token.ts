/**
 * The scrape token: a bearer token that lets Prometheus read the metrics and nothing else
 * (an admin's API key would let it write too). Compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { BuntimeError, type RequestContext } from "@buntime/sdk";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * A check of requests for the Prometheus text: undefined when `token` is unset (the plugin
 * leaves access to the auth plugin), else a function answering 401 unless the request carries
 * `Authorization: Bearer <token>` or comes from a signed-in admin (the UI page's link).
 */
export function scrapeGuard(
  token: string | undefined,
): ((request: Request, context: RequestContext) => Response | undefined) | undefined {
  if (token === undefined) return undefined;
  const expected = digest(`Bearer ${token}`);
  return (request, context) => {
    const given = request.headers.get("authorization");
    if (given !== null && timingSafeEqual(digest(given), expected)) return undefined;
    if (context.locals.user?.roles.includes("admin")) return undefined;
    return new BuntimeError("BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED").getResponse({
      "www-authenticate": 'Bearer realm="metrics"',
    });
  };
}
