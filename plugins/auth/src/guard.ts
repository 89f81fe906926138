/**
 * The `onRequest` guard. Each request is checked against the policy, the visibility of the app
 * it reaches (`locals.app`, as the router located it) and the caller's credentials. Whoever
 * proves who they are is put in `locals.user`, where the kernel API, other plugins and the router
 * (which tells apps) read it. The credentials it reads are named in `locals.credentials`, so the
 * router keeps them from apps. Requests without credentials on open paths pass synchronously.
 */
import { authRequired, BuntimeError, type MaybePromise, type RequestContext } from "@buntime/sdk";
import type { AppAccess, AppVisibility } from "./app-visibility.ts";
import { type Authenticator, type Credentials, hasRole, KERNEL_ADMIN } from "./authenticator.ts";
import { pageRefusal, refusalKind, signInAddress } from "./page-refusals.ts";
import { isKernelApi, type Requirement } from "./policy.ts";
import type { User } from "./users.ts";

type Outcome = Response | undefined;

export interface GuardOptions {
  readonly policy: (method: string, pathname: string) => Requirement;
  readonly authenticator: Authenticator;
  readonly apps: AppVisibility;
  /** The name of the app calling app `callee` (by a token minted for it), when the router says so. */
  readonly callingApp: (request: Request, callee: string) => string | undefined;
  /** True when the request carries the kernel's own admin token. */
  readonly isKernelAdmin: (request: Request) => boolean;
  readonly loginPath: string;
}

/** Builds the guard's `onRequest` hook. */
export function createGuard(
  options: GuardOptions,
): (request: Request, context: RequestContext) => MaybePromise<Outcome> {
  const { policy, authenticator, apps } = options;

  function unauthenticated(request: Request, pathname: string): Response {
    const kind = refusalKind(request, pathname);
    if (kind !== "json")
      return pageRefusal(kind, signInAddress(options.loginPath, pathname, request.url), request);
    return authRequired(pathname, options.loginPath);
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

  async function requireUser(request: Request, context: RequestContext, role?: string): Promise<Outcome> {
    const user = await caller(request);
    if (user instanceof Response) return user;
    if (!user) return unauthenticated(request, context.pathname);
    if (role !== undefined && !hasRole(user, role)) return forbidden(user, request, context.pathname, role);
    context.locals.user = user;
    return undefined;
  }

  /**
   * On a path open to anyone: names the caller in `locals.user` when their credentials are valid,
   * and lets the request pass whatever they are. Without credentials it costs nothing.
   */
  function passWithUser(
    request: Request,
    context: RequestContext,
    credentials: Credentials,
  ): MaybePromise<Outcome> {
    const kind = credentials.kind;
    if (kind === "none") return undefined;
    if (kind === "kernel-or-foreign") {
      // no lookup: the kernel's token is compared in memory, and other bearers are not ours
      if (credentials.kernelAdmin) context.locals.user = KERNEL_ADMIN;
      return undefined;
    }
    return authenticator.currentUser(request).then((user) => {
      if (user) context.locals.user = user;
      return undefined;
    });
  }

  function kernelWrite(
    request: Request,
    context: RequestContext,
    credentials: Credentials,
  ): MaybePromise<Outcome> {
    // The kernel checks its own token; any other bearer we do not issue goes to it unchanged.
    if (credentials.kind === "kernel-or-foreign") return passWithUser(request, context, credentials);
    // The kernel lets a signed-in admin write (`locals.user` with role admin).
    return requireUser(request, context, "admin");
  }

  function appAccess(
    request: Request,
    context: RequestContext,
    credentials: Credentials,
    access: AppAccess,
    app: string,
    rest: string,
  ): MaybePromise<Outcome> {
    if (access.visibility === "public" || (access.visibility === "protected" && access.isPublicRoute(rest))) {
      return passWithUser(request, context, credentials);
    }
    // Other apps, proven by a token minted for this app, may call protected and internal apps alike.
    if (options.callingApp(request, app) !== undefined) return passWithUser(request, context, credentials);
    if (access.visibility === "protected") return requireUser(request, context);
    return (async () => {
      const user = await caller(request);
      if (user instanceof Response) return user;
      if (!user || !hasRole(user, "admin")) {
        return new BuntimeError("BUNTIME_ERR_AUTH_APP_INTERNAL", { app }).getResponse();
      }
      context.locals.user = user;
      return undefined;
    })();
  }

  return function guard(request, context) {
    const credentials = authenticator.inspect(request);
    const marks = credentials.marks;
    if (marks !== undefined) {
      const earlier = context.locals.credentials;
      context.locals.credentials = earlier
        ? { headers: [...earlier.headers, ...marks.headers], cookies: [...earlier.cookies, ...marks.cookies] }
        : marks;
    }
    const requirement = policy(request.method, context.pathname);
    if (requirement === "public") return passWithUser(request, context, credentials);
    if (requirement === "user") return requireUser(request, context);
    if (requirement === "admin") {
      return isKernelApi(context.pathname)
        ? kernelWrite(request, context, credentials)
        : requireUser(request, context, "admin");
    }
    const target = context.locals.app;
    if (!target) return passWithUser(request, context, credentials);
    const access = apps.access(target.name);
    if (!(access instanceof Promise))
      return appAccess(request, context, credentials, access, target.name, target.rest);
    return access.then((loaded) =>
      appAccess(request, context, credentials, loaded, target.name, target.rest),
    );
  };
}
