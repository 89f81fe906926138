/**
 * The `onRequest` guard. Public paths pass synchronously; everything else is checked against
 * the policy, the app's visibility and the caller's credentials. Requests it lets through to
 * an app lose any `x-buntime-user` headers the client sent and, when signed in, carry the
 * user's name and roles in `x-buntime-user` / `x-buntime-roles`.
 */
import { BuntimeError, pathnameOf } from "@buntime/sdk";
import type { AppAccess, AppVisibility } from "./app-visibility.ts";
import { type Authenticator, hasRole } from "./authenticator.ts";
import type { Requirement } from "./policy.ts";
import type { User } from "./users.ts";

/** Headers the guard sets on requests it passes to apps; a client's own are dropped. */
export const USER_HEADER = "x-buntime-user";
export const ROLES_HEADER = "x-buntime-roles";

type Outcome = Response | Request | undefined;

export interface GuardOptions {
  readonly policy: (method: string, pathname: string) => Requirement;
  readonly authenticator: Authenticator;
  readonly apps: AppVisibility;
  /** The name of the app a request comes from (by its app token), when the router says so. */
  readonly callingApp: (request: Request) => string | undefined;
  readonly kernelToken: () => string | undefined;
  readonly loginPath: string;
}

/** True when the client is a browser navigating, which gets a redirect rather than JSON. */
function wantsPage(request: Request, pathname: string): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (pathname.startsWith("/_/") || pathname.includes("/api/")) return false;
  return request.headers.get("accept")?.includes("text/html") === true;
}

/** `request` with its headers replaced by `headers`. */
function withHeaders(request: Request, headers: Headers): Request {
  // Bun keeps the original headers when the replacement is empty, so rebuild the request then.
  if (headers.keys().next().done) {
    const init = {
      method: request.method,
      headers,
      body: request.body,
      signal: request.signal,
      duplex: "half",
    };
    return new Request(request.url, init as RequestInit);
  }
  return new Request(request, { headers });
}

/** Builds the guard's `onRequest` body. */
export function createGuard(options: GuardOptions): (request: Request) => Outcome | Promise<Outcome> {
  const { policy, authenticator, apps } = options;

  function stripSpoofed(request: Request): Request | undefined {
    if (!request.headers.has(USER_HEADER) && !request.headers.has(ROLES_HEADER)) return undefined;
    const headers = new Headers(request.headers);
    headers.delete(USER_HEADER);
    headers.delete(ROLES_HEADER);
    return withHeaders(request, headers);
  }

  function withUser(request: Request, user: User): Request {
    const headers = new Headers(request.headers);
    headers.set(USER_HEADER, user.username);
    headers.set(ROLES_HEADER, user.roles.join(","));
    return withHeaders(request, headers);
  }

  function unauthenticated(request: Request, pathname: string): Response {
    if (wantsPage(request, pathname)) {
      const url = new URL(request.url);
      const next = encodeURIComponent(url.pathname + url.search);
      return new Response(null, { status: 302, headers: { location: `${options.loginPath}?next=${next}` } });
    }
    return new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path: pathname }).getResponse({
      "www-authenticate": 'Bearer realm="buntime"',
    });
  }

  function forbidden(user: User, request: Request, pathname: string, role: string): Response {
    return new BuntimeError("BUNTIME_ERR_AUTH_FORBIDDEN", {
      user: user.username,
      action: `${request.method} ${pathname}`,
      role,
    }).getResponse();
  }

  /** Resolves the caller; a bad bearer token is answered with its own 401. */
  async function caller(request: Request): Promise<User | Response | undefined> {
    try {
      return await authenticator.resolve(request);
    } catch (error) {
      if (error instanceof BuntimeError)
        return error.getResponse({ "www-authenticate": 'Bearer error="invalid_token"' });
      throw error;
    }
  }

  async function requireUser(request: Request, pathname: string, role?: string): Promise<Outcome> {
    const user = await caller(request);
    if (user instanceof Response) return user;
    if (!user) return unauthenticated(request, pathname);
    if (role !== undefined && !hasRole(user, role)) return forbidden(user, request, pathname, role);
    return withUser(request, user);
  }

  async function kernelWrite(request: Request, pathname: string): Promise<Outcome> {
    const kind = authenticator.credentialKind(request);
    // The kernel checks its own token; any other bearer we do not issue goes to it unchanged.
    if (kind === "kernel-or-foreign") return undefined;
    const outcome = await requireUser(request, pathname, "admin");
    if (!(outcome instanceof Request)) return outcome;
    const token = options.kernelToken();
    if (token === undefined) return outcome;
    const headers = new Headers(outcome.headers);
    headers.set("authorization", `Bearer ${token}`); // lend the admin the kernel's token
    return withHeaders(outcome, headers);
  }

  function appAccess(
    request: Request,
    pathname: string,
    access: AppAccess,
    app: string,
    rest: string,
  ): Outcome | Promise<Outcome> {
    if (access.visibility === "public" || (access.visibility === "protected" && access.isPublicRoute(rest))) {
      return stripSpoofed(request);
    }
    // Other apps, proven by their app token, may call protected and internal apps alike.
    if (options.callingApp(request) !== undefined) return stripSpoofed(request);
    if (access.visibility === "protected") return requireUser(request, pathname);
    return (async () => {
      const user = await caller(request);
      if (user instanceof Response) return user;
      if (user && hasRole(user, "admin")) return withUser(request, user);
      return new BuntimeError("BUNTIME_ERR_AUTH_APP_INTERNAL", { app }).getResponse();
    })();
  }

  return function guard(request) {
    const pathname = pathnameOf(request.url);
    const requirement = policy(request.method, pathname);
    if (requirement === "public") return stripSpoofed(request);
    if (requirement === "user") return requireUser(request, pathname);
    if (requirement === "admin") {
      return pathname.startsWith("/_/api")
        ? kernelWrite(request, pathname)
        : requireUser(request, pathname, "admin");
    }
    const target = apps.target(pathname);
    if (!target) return stripSpoofed(request);
    const access = apps.access(target.app);
    if (!(access instanceof Promise)) return appAccess(request, pathname, access, target.app, target.rest);
    return access.then((loaded) => appAccess(request, pathname, loaded, target.app, target.rest));
  };
}
