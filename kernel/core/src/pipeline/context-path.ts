import { pathnameOf, type RequestContext } from "@buntime/sdk";

/**
 * Hono's `getPath` for apps that get the request context as their env: they route on the
 * canonical `context.pathname`, the path every other plugin decided on, not on the raw URL.
 * Without a context (a direct call in a test) the URL's own path is used.
 */
export function contextPath(request: Request, options?: { env?: unknown }): string {
  return (options?.env as RequestContext | undefined)?.pathname ?? pathnameOf(request.url);
}
