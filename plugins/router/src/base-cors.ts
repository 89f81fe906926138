/**
 * Cross-origin rules for plugin bases (the router's `cors` setting, such as `/storage`): a
 * preflight under a base is answered in `onRequest`, before any plugin (auth included: a
 * preflight carries no credentials), and answers under it get the `access-control-*` headers in
 * `onResponse`. The longest base that holds the path decides.
 */
import type { ResolvedAppConfig } from "@buntime/sdk";
import { type CorsServe, corsOf } from "./app-cors.ts";

/** A browser's preflight: OPTIONS naming an origin and the method it wants to send. */
export function isPreflight(request: Request): boolean {
  return (
    request.method === "OPTIONS" &&
    request.headers.has("origin") &&
    request.headers.has("access-control-request-method")
  );
}

/** The CORS rules of plugin bases. */
export class BaseCors {
  readonly #rules: Array<[string, CorsServe]>;

  constructor(rules: Readonly<Record<string, NonNullable<ResolvedAppConfig["cors"]>>>) {
    this.#rules = Object.entries(rules)
      .map(([base, config]) => [base, corsOf(config) as CorsServe] as [string, CorsServe])
      .sort((a, b) => b[0].length - a[0].length);
  }

  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /** The rules for `pathname`: those of the longest base that holds it. */
  rulesFor(pathname: string): CorsServe | undefined {
    for (const [base, serve] of this.#rules) {
      if (pathname === base || pathname.startsWith(`${base}/`)) return serve;
    }
    return undefined;
  }

  /** The preflight's answer when it is one under a base with rules. */
  preflight(request: Request, pathname: string): Promise<Response | undefined> | undefined {
    if (!isPreflight(request)) return undefined;
    return this.rulesFor(pathname)?.(request, () => undefined);
  }

  /** `response` with the headers the rules allow, for a request from a page (it sent `Origin`). */
  answer(response: Response, request: Request, pathname: string): Promise<Response | undefined> | undefined {
    if (!request.headers.has("origin")) return undefined;
    return this.rulesFor(pathname)?.(request, () => response);
  }
}
