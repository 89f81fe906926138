/**
 * @buntime/plugin-auth: who may reach what. It signs users in (a login form and a JSON
 * endpoint with session cookies, API keys, JWT bearer tokens, OpenID Connect), keeps users and
 * roles in the `keyval` service (in memory, with a warning, when no plugin provides it), guards
 * every request with a policy (public, protected and admin paths; each app's `visibility` and
 * `publicRoutes`), and provides the `auth` service (`currentUser`, `requireUser`, `requireRole`).
 * With no settings, public apps and kernel API reads stay open and only admin paths need a login.
 */
import { join } from "node:path";
import { definePlugin, type PluginContext } from "@buntime/sdk";
import type { Hono } from "hono";
import { ApiKeyStore } from "./api-keys.ts";
import { type AppDirectory, AppVisibility } from "./app-visibility.ts";
import { Authenticator } from "./authenticator.ts";
import { authConfigSchema } from "./config.ts";
import { FirstRun } from "./first-run.ts";
import { createGuard } from "./guard.ts";
import { JwtVerifier } from "./jwt-verifier.ts";
import { homeOf, readKernelToken } from "./kernel-token.ts";
import { type AuthKv, MemoryKv } from "./kv.ts";
import { isRateLimitLike, LoginLimiter } from "./login-limiter.ts";
import { OidcClient } from "./oidc.ts";
import { createPolicy } from "./policy.ts";
import { createAuthRoutes } from "./routes.ts";
import { SessionStore } from "./sessions.ts";
import { UserStore } from "./users.ts";

export type { ApiKeyInfo } from "./api-keys.ts";
export { API_KEY_PREFIX } from "./api-keys.ts";
export type { AuthService } from "./authenticator.ts";
export type { AuthConfigInput, ResolvedAuthConfig } from "./config.ts";
export { authConfigSchema } from "./config.ts";
export { ROLES_HEADER, USER_HEADER } from "./guard.ts";
export type { RateLimitLike } from "./login-limiter.ts";
export type { User } from "./users.ts";

const BASE = "/auth";

interface AuthState {
  readonly guard: (
    request: Request,
  ) => Response | Request | undefined | Promise<Response | Request | undefined>;
  readonly routes: Hono;
}

const states = new WeakMap<PluginContext, AuthState>();

/**
 * Who sent a request: the configured header (set by a trusted proxy in front), else the address
 * the kernel's server saw. A client could send any `x-forwarded-for` itself, so no header is
 * trusted unless configured.
 */
function clientAddress(ctx: PluginContext, header: string | undefined) {
  return (request: Request): string | undefined => {
    if (header) return request.headers.get(header)?.split(",")[0]?.trim() || undefined;
    return ctx.services.has("kernel:clients")
      ? ctx.services.get("kernel:clients").address(request)
      : undefined;
  };
}

/** The keyval service's `auth` namespace when provided, else a process-local store. */
function storeFor(ctx: PluginContext): AuthKv {
  if (ctx.services.has("keyval")) {
    const keyval = ctx.services.get("keyval") as { namespace?(name: string): unknown };
    return (typeof keyval.namespace === "function" ? keyval.namespace("auth") : keyval) as AuthKv;
  }
  ctx.logger.warn("no keyval service (install @buntime/plugin-storage): users and sessions live in memory");
  return new MemoryKv();
}

export default definePlugin({
  config: authConfigSchema,
  async onInit(ctx) {
    const config = ctx.config;
    const base = ctx.base ?? BASE;
    const kv = storeFor(ctx);
    const users = new UserStore(kv);
    const sessions = new SessionStore(kv, config.sessionTtl);
    const apiKeys = new ApiKeyStore(kv);
    const kernelToken = readKernelToken(homeOf(ctx.dataDir, ctx.name));
    const authenticator = new Authenticator({
      users,
      sessions,
      apiKeys,
      jwt: config.jwt ? new JwtVerifier(config.jwt) : undefined,
      cookieName: config.cookieName,
      kernelToken,
    });
    const rateLimit = () => {
      if (!ctx.services.has("ratelimit")) return undefined;
      const service = ctx.services.get("ratelimit");
      return isRateLimitLike(service) ? service : undefined;
    };
    const firstRun = new FirstRun(users, ctx.logger);
    const tokenFile = join(ctx.dataDir, "setup-token");
    await firstRun.ensureAdmin(process.env.BUNTIME_ADMIN_PASSWORD, `${base}/setup`, tokenFile);
    // The router says which app a path reaches and where apps live (its own appsDir, the
    // homepage at `/`); it may be absent, or loaded and unloaded later, so ask it each time.
    const appsService = () =>
      ctx.services.has("apps")
        ? (ctx.services.get("apps") as Partial<AppDirectory> & {
            identify?(request: Request): string | undefined;
          })
        : undefined;
    const directory = (): AppDirectory | undefined => {
      const service = appsService();
      return typeof service?.locate === "function" && typeof service.folders === "function"
        ? (service as AppDirectory)
        : undefined;
    };
    const apps = new AppVisibility(ctx.kernel.appsDir, config.appConfigTtl, ctx.logger, directory);
    const callingApp = (request: Request) => appsService()?.identify?.(request);
    const guard = createGuard({
      policy: createPolicy(config, base),
      authenticator,
      apps,
      callingApp,
      kernelToken,
      loginPath: `${base}/login`,
    });
    const routes = createAuthRoutes({
      base,
      users,
      sessions,
      apiKeys,
      authenticator,
      limiter: new LoginLimiter(config.loginAttempts, config.loginWindow, rateLimit),
      firstRun,
      oidc: config.oidc ? new OidcClient(config.oidc, kv) : undefined,
      cookieName: config.cookieName,
      sessionTtl: config.sessionTtl,
      secureCookies: config.secureCookies,
      clientOf: clientAddress(ctx, config.clientIpHeader),
      logger: ctx.logger,
    });
    states.set(ctx, { guard, routes });
    ctx.services.provide("auth", authenticator);
  },
  onRequest: (request, ctx) => states.get(ctx)?.guard(request),
  onShutdown(ctx) {
    states.delete(ctx);
  },
  fetch: (request, ctx) => states.get(ctx)?.routes.fetch(request),
});
