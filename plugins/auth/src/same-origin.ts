/**
 * Cross-site checks for sign-in, sign-out and setup: a browser on another site must not sign a
 * user in (login CSRF) or out. Browsers send `Sec-Fetch-Site`, and `Origin` on every cross-origin
 * POST, else `Referer`; clients that are not browsers (curl, scripts) send neither and pass, since
 * no browser carries a victim's cookies for them.
 */

/** The site a state-changing request came from when that is not this one, else undefined. */
export function crossSiteSource(request: Request): string | undefined {
  const headers = request.headers;
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return headers.get("origin") ?? `a ${site} page`;
  }
  const source = headers.get("origin") ?? headers.get("referer");
  if (source === null) return undefined;
  // `Origin: null` comes from sandboxed frames, data: URLs and redirects across sites
  const from = URL.parse(source);
  if (from === null || from.host === "") return source;
  // the host alone: behind a proxy that ends TLS the kernel sees http, the browser https
  return from.host === new URL(request.url).host ? undefined : from.origin;
}
