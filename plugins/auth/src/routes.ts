/**
 * The auth plugin's HTTP API at its base: the sign-in page and endpoint, sign-out, `me`, API
 * keys, users (admins only), first-run setup and the OpenID Connect redirect and callback. The
 * plugin's `routes`, mounted at the base; what each route takes and answers is in
 * route-descriptions.ts (the OpenAPI document).
 */
import {
  authRequired,
  BuntimeError,
  contextPath,
  isBuntimeError,
  type Logger,
  type SignInLimiter,
  sameSitePath,
} from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { ApiKeyStore } from "./api-keys.ts";
import type { Authenticator } from "./authenticator.ts";
import type { FirstRun } from "./first-run.ts";
import { loginPage } from "./login-page.ts";
import type { OidcClient } from "./oidc.ts";
import { mountOidcRoutes } from "./oidc-routes.ts";
import { isForm, readBody } from "./request-body.ts";
import {
  credentialsSchema,
  authDescriptions as describe,
  keySchema,
  ownPasswordSchema,
  setupFormSchema,
  setupSchema,
} from "./route-descriptions.ts";
import { crossSiteSource } from "./same-origin.ts";
import type { SessionStore } from "./sessions.ts";
import { setupPage } from "./setup-page.ts";
import { refuseIfLimited } from "./sign-in-limits.ts";
import { mountUserRoutes } from "./user-routes.ts";
import { publicUser, type UserStore } from "./users.ts";

export interface AuthRoutesOptions {
  readonly base: string;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly apiKeys: ApiKeyStore;
  readonly authenticator: Authenticator;
  /** Failed sign-ins, per client address and per account. */
  readonly limiter: SignInLimiter;
  readonly firstRun: FirstRun;
  readonly oidc: OidcClient | undefined;
  readonly cookieName: string;
  readonly sessionTtl: number;
  readonly secureCookies: boolean | "auto";
  /** The address of the client that sent `request`, when known. */
  readonly clientOf: (request: Request) => string | undefined;
  readonly logger: Logger;
}

/**
 * Headers of the sign-in and first-admin pages: never framed (a page on another site could
 * overlay them and steer clicks), never cached (they change once an admin exists).
 */
const FORM_PAGE = {
  "content-security-policy": "frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

/**
 * Builds the Hono app the kernel mounts at the plugin's base (its `routes`). Every path under the
 * base is the plugin's: one with no route answers 404 here rather than falling through.
 */
export function createAuthRoutes(options: AuthRoutesOptions): Hono {
  const { base, users, sessions, apiKeys, authenticator, limiter, firstRun } = options;
  // routed on the canonical context.pathname, as the guard decided on it
  const app = new Hono({ getPath: contextPath });

  const secure = (c: Context) =>
    options.secureCookies === "auto"
      ? new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https"
      : options.secureCookies;

  async function startSession(c: Context, username: string) {
    const id = await sessions.create(username);
    setCookie(c, options.cookieName, id, {
      path: "/",
      httpOnly: true,
      sameSite: "Lax",
      secure: secure(c),
      maxAge: Math.floor(options.sessionTtl / 1000),
    });
  }

  /** Who an attempt to prove `account`'s password is counted against. */
  const attemptOf = (c: Context, account: string) => ({
    address: options.clientOf(c.req.raw) ?? "unknown",
    account,
  });

  /** What the sign-in page shows besides the form: single sign-on, and the first-admin link while no admin exists. */
  const pageOptions = () => ({ base, oidc: options.oidc !== undefined, setup: firstRun.pending });

  /** Where a form's sender was going: its `next` field, else the `next` of the form's action, made safe. */
  const nextOf = (c: Context, body?: { next?: string }) =>
    sameSitePath(body?.next ?? c.req.query("next")) ?? "/";

  /** `Retry-After` for a refusal by the sign-in limits. */
  const retryAfter = (error: BuntimeError): Record<string, string> =>
    error.code === "BUNTIME_ERR_AUTH_RATE_LIMITED" ? { "retry-after": String(error.params.seconds) } : {};

  app.onError((error, c) => {
    if (error instanceof BuntimeError) {
      // a refused form shows its page again with the reason, still going where it was going
      const formPage = c.req.method === "POST" && isForm(c) ? formPageOf(c, error.message) : undefined;
      if (formPage !== undefined)
        return c.html(formPage, error.status as 401, { ...FORM_PAGE, ...retryAfter(error) });
      if (error.code === "BUNTIME_ERR_AUTH_REQUIRED")
        return authRequired(String(error.params.path), `${base}/login`);
      return error.getResponse(retryAfter(error));
    }
    options.logger.error("auth request failed", { error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });

  // The kernel checks cross-site writes under /api; sign-in, sign-out and setup are checked here,
  // by Origin and Referer too, since not every browser sends Sec-Fetch-Site.
  app.use("*", async (c, next) => {
    const method = c.req.method;
    if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
      const source = crossSiteSource(c.req.raw);
      if (source !== undefined) {
        throw new BuntimeError("BUNTIME_ERR_CSRF_REJECTED", { method, path: c.req.path, origin: source });
      }
    }
    await next();
  });

  /** The page of a refused form post (sign-in or first admin), or undefined for other paths. */
  function formPageOf(c: Context, error: string): string | undefined {
    const next = nextOf(c);
    if (c.req.path === `${base}/login`) return loginPage({ ...pageOptions(), next, error });
    if (c.req.path === `${base}/setup`) return setupPage({ base, next, pending: firstRun.pending, error });
    return undefined;
  }

  app.get("/login", describe.loginPage, (c) =>
    c.html(loginPage({ ...pageOptions(), next: nextOf(c) }), 200, FORM_PAGE),
  );

  app.post("/login", describe.login, async (c) => {
    const { username, password, next } = await readBody(c, credentialsSchema);
    const attempt = attemptOf(c, username);
    // checked before any hashing: a limited address or account costs no CPU
    await refuseIfLimited(limiter, attempt);
    const user = await users.verify(username, password);
    if (!user) {
      await limiter.fail(attempt);
      throw new BuntimeError("BUNTIME_ERR_AUTH_BAD_CREDENTIALS");
    }
    await startSession(c, user.username);
    if (isForm(c)) return c.redirect(nextOf(c, { next }), 303);
    return c.json({ user: publicUser(user) });
  });

  app.post("/logout", describe.logout, async (c) => {
    const id = authenticator.sessionId(c.req.raw);
    if (id !== undefined) await sessions.end(id);
    deleteCookie(c, options.cookieName, { path: "/", secure: secure(c) });
    if (isForm(c) && c.req.header("accept")?.includes("text/html")) return c.redirect(`${base}/login`, 303);
    return c.json({ ok: true });
  });

  app.get("/me", describe.me, async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    return c.json({ user });
  });

  app.get("/setup", describe.setupPage, (c) =>
    c.html(
      setupPage({ base, next: nextOf(c), pending: firstRun.pending }),
      firstRun.pending ? 200 : 410,
      FORM_PAGE,
    ),
  );

  app.post("/setup", describe.setup, async (c) => {
    const form = isForm(c);
    const body = form ? await readBody(c, setupFormSchema) : await readBody(c, setupSchema);
    if (form && "confirm" in body && body.confirm !== body.password) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", { details: "the two passwords differ" });
    }
    // per address: the token is long enough that this only keeps a guesser from flooding the log
    const attempt = attemptOf(c, `setup@${options.clientOf(c.req.raw) ?? "unknown"}`);
    await refuseIfLimited(limiter, attempt);
    const user = await firstRun.complete(body.token, body.username, body.password).catch(async (error) => {
      if (isBuntimeError(error, "BUNTIME_ERR_AUTH_SETUP_REFUSED")) await limiter.fail(attempt);
      throw error;
    });
    options.logger.info(`first admin ${user.username} created through setup`);
    await startSession(c, user.username);
    if (form) return c.redirect(nextOf(c, body as { next?: string }), 303);
    return c.json({ user: publicUser(user) }, 201);
  });

  app.get("/api/keys", describe.listKeys, async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    return c.json({ keys: await apiKeys.list(user.username) });
  });

  app.post("/api/keys", describe.createKey, async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    if (user.via === "kernel-token") {
      throw new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", {
        details: "API keys belong to users; sign in as one to create them",
      });
    }
    const { name } = await readBody(c, keySchema);
    return c.json(await apiKeys.create(user.username, name), 201);
  });

  app.delete("/api/keys/:id", describe.revokeKey, async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    const id = c.req.param("id");
    if (!(await apiKeys.revoke(user.username, id))) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "API key", id });
    }
    return c.body(null, 204);
  });

  app.post("/api/password", describe.ownPassword, async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    const { current, password } = await readBody(c, ownPasswordSchema);
    const attempt = attemptOf(c, user.username);
    await refuseIfLimited(limiter, attempt);
    if (!(await users.verify(user.username, current))) {
      await limiter.fail(attempt);
      throw new BuntimeError("BUNTIME_ERR_AUTH_BAD_CREDENTIALS");
    }
    await users.setPassword(user.username, password);
    // whoever else holds a session of this user (a stolen cookie) is signed out; this one stays
    await sessions.endAllOf(user.username, authenticator.sessionId(c.req.raw));
    return c.body(null, 204);
  });

  mountUserRoutes(app, users, sessions, authenticator);

  mountOidcRoutes(app, options.oidc, users, startSession);

  // registered last: only a path no route above answers gets here
  app.all("*", (c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());
  return app;
}
