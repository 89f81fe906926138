/**
 * Signed-out page loads end at sign-in, never at a bare 401. A browser loading a page in its
 * window is redirected to sign-in with `next` (the path it asked for); one loading a page into a
 * frame gets a 401 page that asks the shell to sign in (a sign-in form inside a frame would be
 * clickjackable, and the sign-in page refuses to be framed). Scripts' fetch and XHR, and every
 * API path, keep the coded JSON 401. The guard refuses this way, and `onResponse` applies the same
 * to a 401 (or a redirect to sign-in, for frames) that a plugin or app answered a page load with,
 * and to a redirect to sign-in answered to a browser script's call.
 */
import { authRequired, type RequestContext, signInUrl } from "@buntime/sdk";
import { framePage } from "./frame-page.ts";

/** How a refused request wants its refusal. */
export type RefusalKind = "page" | "frame" | "json";

/**
 * Browsers say what they load with `Sec-Fetch-Mode`/`Sec-Fetch-Dest`; a client without them
 * (curl, old browsers) says it by `Accept`. Only GET and HEAD outside API paths can be pages.
 */
export function refusalKind(request: Request, pathname: string): RefusalKind {
  if (request.method !== "GET" && request.method !== "HEAD") return "json";
  if (pathname.startsWith("/_/") || pathname.includes("/api/")) return "json";
  const mode = request.headers.get("sec-fetch-mode");
  if (mode !== null) {
    if (mode !== "navigate") return "json";
    const dest = request.headers.get("sec-fetch-dest");
    return dest === "iframe" || dest === "frame" ? "frame" : "page";
  }
  return request.headers.get("accept")?.includes("text/html") === true ? "page" : "json";
}

/**
 * The sign-in address that comes back to `pathname` (canonical, as the policy saw it) with the
 * query as sent; a path that could lead elsewhere (an encoded slash, say) is left out, as the
 * sign-in page would drop it anyway, so sign-in lands on `/`.
 */
export function signInAddress(loginPath: string, pathname: string, url: string): string {
  return signInUrl(loginPath, pathname + new URL(url).search);
}

/** The refusal of a page load (`kind` page or frame) that must sign in at `signIn`. */
export function pageRefusal(kind: "page" | "frame", signIn: string, request: Request): Response {
  if (kind === "page") return new Response(null, { status: 302, headers: { location: signIn } });
  return new Response(request.method === "HEAD" ? null : framePage(signIn), {
    status: 401,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/** True for a 401 meant for Buntime's sign-in: not a page of its own, nor a Basic or Digest challenge. */
function isBareRefusal(response: Response): boolean {
  if (response.status !== 401) return false;
  if (response.headers.get("content-type")?.includes("text/html")) return false;
  const challenge = response.headers.get("www-authenticate");
  return challenge === null || /^bearer\b/i.test(challenge);
}

/** The `onResponse` hook that turns other handlers' refusals of signed-out page loads into sign-in. */
export function createPageRefusals(loginPath: string) {
  return (response: Response, request: Request, context: RequestContext): Response | undefined => {
    const status = response.status;
    if (status !== 401 && status !== 302 && status !== 303) return undefined; // the usual case costs one compare
    if (context.locals.user !== undefined) return undefined; // signed in: the refusal is about something else
    const kind = refusalKind(request, context.pathname);
    const location = status === 401 ? null : response.headers.get("location");
    const toSignIn = location !== null && (location === loginPath || location.startsWith(`${loginPath}?`));
    if (kind === "json") {
      // a browser script's call sent to sign-in would read the form as its answer: it gets the JSON 401
      const mode = request.headers.get("sec-fetch-mode");
      if (!toSignIn || mode === null || mode === "navigate") return undefined; // a form post navigates
      return authRequired(context.pathname, loginPath);
    }
    if (isBareRefusal(response))
      return pageRefusal(kind, signInAddress(loginPath, context.pathname, request.url), request);
    return kind === "frame" && toSignIn ? pageRefusal(kind, location, request) : undefined;
  };
}
