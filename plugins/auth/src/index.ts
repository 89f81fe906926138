/**
 * @buntime/plugin-auth: who may reach what. It signs users in (a login form and a JSON
 * endpoint with session cookies, API keys, JWT bearer tokens, OpenID Connect), keeps users and
 * roles in the `keyval` service (in memory, with a warning, when no plugin provides it), guards
 * every request with a policy (public, protected and admin paths; each app's `visibility` and
 * `publicRoutes`), puts whoever proved who they are in `locals.user`, and provides the `auth`
 * service (`currentUser`, `requireUser`, `requireRole`).
 * With no settings, public apps and kernel API reads stay open and only admin paths need a login.
 */
import { join } from "node:path";
import { type AuthService, definePlugin, type PluginContext } from "@buntime/sdk";
import { ApiKeyStore } from "./api-keys.ts";
import { AppVisibility } from "./app-visibility.ts";
import { Authenticator } from "./authenticator.ts";
import { authConfigSchema } from "./config.ts";
import { FirstRun } from "./first-run.ts";
import { createGuard } from "./guard.ts";
import { JwtVerifier } from "./jwt-verifier.ts";
import { type AuthKv, MemoryKv } from "./kv.ts";
import { OidcClient } from "./oidc.ts";
import { createPageRefusals } from "./page-refusals.ts";
import { createPolicy } from "./policy.ts";
import { createAuthRoutes } from "./routes.ts";
import { SessionStore } from "./sessions.ts";
import { createAuthSignInLimits } from "./sign-in-limits.ts";
import { UserStore } from "./users.ts";

export type { AuthService } from "@buntime/sdk";
export type { ApiKeyInfo } from "./api-keys.ts";
export { API_KEY_PREFIX } from "./api-keys.ts";
export type { AuthConfigInput, ResolvedAuthConfig } from "./config.ts";
export { authConfigSchema } from "./config.ts";
export type { User } from "./users.ts";

const BASE = "/auth";

/**
 * Who sent a request: the kernel's client address (the connection's, or what a proxy trusted by
 * the kernel's `trustProxy` named), never a header of the client's own choosing.
 */
function clientAddress(ctx: PluginContext) {
  return (request: Request): string | undefined =>
    ctx.services.has("kernel:clients") ? ctx.services.get("kernel:clients").address(request) : undefined;
}

/**
 * The keyval service's `auth` namespace when provided, else a process-local store. The service
 * is looked up on every use: a storage plugin replaced while the kernel runs (an upgrade, a new
 * config) closes the store auth was given, and must not take sign-in down with it.
 */
function storeFor(ctx: PluginContext): AuthKv {
  if (!ctx.services.has("keyval")) {
    ctx.logger.warn("no keyval service (install @buntime/plugin-storage): users and sessions live in memory");
    return new MemoryKv();
  }
  const current = () => ctx.services.get("keyval").namespace("auth");
  return {
    get: (key) => current().get(key),
    set: (key, value, options) => current().set(key, value, options),
    delete: (key, options) => current().delete(key, options),
    list: (options) => current().list(options),
  };
}

export default definePlugin({
  config: authConfigSchema,
  async setup(ctx) {
    const config = ctx.config;
    const base = ctx.base ?? BASE;
    const kv = storeFor(ctx);
    // failed sign-ins are kept with users and sessions when they are shared, else in a bounded table
    const sharedKv = ctx.services.has("keyval") ? kv : undefined;
    const users = new UserStore(kv);
    const sessions = new SessionStore(kv, config.sessionTtl);
    const apiKeys = new ApiKeyStore(kv);
    const kernelAdmin = ctx.services.get("kernel:admin");
    const isKernelAdmin = (request: Request) => kernelAdmin.isAdmin(request);
    const authenticator = new Authenticator({
      users,
      sessions,
      apiKeys,
      jwt: config.jwt ? new JwtVerifier(config.jwt) : undefined,
      cookieName: config.cookieName,
      isKernelAdmin,
    });
    const firstRun = new FirstRun(users, ctx.logger);
    const tokenFile = join(ctx.dataDir, "setup-token");
    await firstRun.ensureAdmin(process.env.BUNTIME_ADMIN_PASSWORD, `${base}/setup`, tokenFile);
    // The router, which provides `apps`, may be absent, or loaded and unloaded later: ask each time.
    const apps = () => (ctx.services.has("apps") ? ctx.services.get("apps") : undefined);
    const guard = createGuard({
      policy: createPolicy(config, base),
      authenticator,
      apps: new AppVisibility(config.appConfigTtl, ctx.logger, apps),
      callingApp: (request, callee) => apps()?.identify(request, callee),
      isKernelAdmin,
      loginPath: `${base}/login`,
    });
    const routes = createAuthRoutes({
      base,
      users,
      sessions,
      apiKeys,
      authenticator,
      limiter: createAuthSignInLimits(config.loginAttempts, config.loginWindow, sharedKv),
      firstRun,
      oidc: config.oidc ? new OidcClient(config.oidc, kv) : undefined,
      cookieName: config.cookieName,
      sessionTtl: config.sessionTtl,
      secureCookies: config.secureCookies,
      clientOf: clientAddress(ctx),
      logger: ctx.logger,
    });
    ctx.services.provide("auth", authenticator satisfies AuthService);
    return {
      onRequest: guard,
      onResponse: createPageRefusals(`${base}/login`),
      // a Hono app the kernel mounts at the base, and reads for its OpenAPI document
      routes,
      onServerStart: (server) => firstRun.announcePage(server.url, `${base}/setup`),
    };
  },
});
