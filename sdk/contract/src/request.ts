/**
 * What request hooks and handlers get beside the request: the request's own context, with
 * `locals` for the data plugins hand each other (who signed in, which app the path reaches).
 */
import type { AppLocation } from "./contracts/apps.ts";
import type { RequestUser } from "./contracts/auth.ts";

/**
 * Credentials a plugin consumed from a request, by name: what must not travel on to an app.
 * Names are lower-case header names and cookie names. Whoever forwards a request to an app (the
 * router) removes these headers and cookies and sends the verified identity instead.
 *
 * @example
 * // in auth's onRequest, after reading the session cookie and the bearer token
 * context.locals.credentials = { headers: ["authorization"], cookies: ["buntime_session"] };
 */
export interface RequestCredentials {
  /** Headers that carry a credential (e.g. `authorization`, `x-api-key`). */
  readonly headers: readonly string[];
  /** Cookies that carry a credential (e.g. the session cookie); the request's other cookies stay. */
  readonly cookies: readonly string[];
}

/**
 * Per-request data that plugins share: set by one plugin's `onRequest`, read by later hooks and
 * handlers. Plugins add their own fields by augmenting this interface.
 *
 * @example
 * declare module "@buntime/sdk" {
 *   interface RequestLocals { tenant?: string }
 * }
 */
export interface RequestLocals {
  /** The signed-in user: set by the auth plugin for requests with valid credentials. */
  user?: RequestUser;
  /** The app the path reaches: set by the router, once per request. */
  app?: AppLocation;
  /**
   * Credentials plugins consumed from this request, which the router keeps from apps: set by
   * the auth plugin. A plugin adding its own replaces it with a copy that keeps the earlier names.
   */
  credentials?: RequestCredentials;
}

/** The context of one request, passed to `onRequest`, `fetch`, `onResponse` and `routes` (as Hono's `c.env`). */
export interface RequestContext {
  /** The request id, also sent back as `x-request-id`. */
  readonly requestId: string;
  /**
   * The request's canonical path (see `canonicalPath`): escapes of unreserved characters decoded
   * once, dot segments and `//` resolved, other escapes kept, case and trailing `/` kept. Every
   * plugin decides on this one, never on `request.url`, comparing case-sensitively.
   */
  readonly pathname: string;
  /** Data plugins share about this request. */
  readonly locals: RequestLocals;
  /** The client's IP address as the kernel's server saw the connection; undefined in process. */
  clientAddress(): string | undefined;
}
