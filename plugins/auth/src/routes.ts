/**
 * The auth plugin's HTTP API at its base: the sign-in page and endpoint, sign-out, `me`, API
 * keys, users (admins only), first-run setup and the OpenID Connect redirect and callback.
 */
import { BuntimeError, type Logger } from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { ApiKeyStore } from "./api-keys.ts";
import type { Authenticator } from "./authenticator.ts";
import type { FirstRun } from "./first-run.ts";
import type { LoginLimiter } from "./login-limiter.ts";
import { loginPage, safeNext } from "./login-page.ts";
import type { OidcClient } from "./oidc.ts";
import type { SessionStore } from "./sessions.ts";
import { publicUser, type UserStore } from "./users.ts";

export interface AuthRoutesOptions {
  readonly base: string;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly apiKeys: ApiKeyStore;
  readonly authenticator: Authenticator;
  readonly limiter: LoginLimiter;
  readonly firstRun: FirstRun;
  readonly oidc: OidcClient | undefined;
  readonly cookieName: string;
  readonly sessionTtl: number;
  readonly secureCookies: boolean | "auto";
  readonly logger: Logger;
}

const credentialsSchema = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
  next: z.string().optional(),
});
const newUserSchema = z
  .object({
    username: z.string().min(1),
    password: z.string().min(8).optional(),
    roles: z.array(z.string().regex(/^[\w:-]{1,64}$/)).default([]),
  })
  .strict();
const rolesSchema = z.object({ roles: z.array(z.string().regex(/^[\w:-]{1,64}$/)) }).strict();
const setupSchema = z.object({ token: z.string(), username: z.string(), password: z.string() }).strict();
const keySchema = z.object({ name: z.string() }).strict();

function invalid(error: z.ZodError): BuntimeError {
  const details = error.issues
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
  return new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", { details });
}

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header("content-type") ?? "";
  let raw: unknown;
  try {
    raw = type.includes("application/json") ? await c.req.json() : await c.req.parseBody();
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_AUTH_REQUEST_INVALID",
      { details: "unreadable body" },
      { cause: error },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

function isForm(c: Context): boolean {
  return !(c.req.header("content-type") ?? "").includes("application/json");
}

/** Builds the Hono app mounted at the plugin's base. */
export function createAuthRoutes(options: AuthRoutesOptions): Hono {
  const { base, users, sessions, apiKeys, authenticator, limiter, firstRun } = options;
  const app = new Hono().basePath(base);

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

  app.onError((error, c) => {
    if (error instanceof BuntimeError) {
      if (c.req.method === "POST" && c.req.path === `${base}/login` && isForm(c)) {
        const page = loginPage({ base, next: "/", error: error.message, oidc: options.oidc !== undefined });
        return c.html(page, error.status as 401);
      }
      return error.getResponse();
    }
    options.logger.error("auth request failed", { error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });

  // The kernel checks cross-site writes under /api; sign-in, sign-out and setup are checked here.
  app.use("*", async (c, next) => {
    if (c.req.method === "POST" && c.req.header("sec-fetch-site") === "cross-site") {
      throw new BuntimeError("BUNTIME_ERR_CSRF_REJECTED", {
        method: c.req.method,
        path: c.req.path,
        origin: c.req.header("origin") ?? "unknown",
      });
    }
    await next();
  });

  app.notFound((c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());

  app.get("/login", (c) =>
    c.html(loginPage({ base, next: safeNext(c.req.query("next")), oidc: options.oidc !== undefined })),
  );

  app.post("/login", async (c) => {
    const { username, password, next } = await body(c, credentialsSchema);
    const client = c.req.header("x-forwarded-for")?.split(",")[0]?.trim() ?? "direct";
    const attempt = await limiter.attempt(`${username}|${client}`);
    if (!attempt.allowed) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_RATE_LIMITED", {
        user: username,
        seconds: attempt.retryAfterSeconds,
      });
    }
    const user = await users.verify(username, password);
    if (!user) throw new BuntimeError("BUNTIME_ERR_AUTH_BAD_CREDENTIALS");
    await limiter.reset(`${username}|${client}`);
    await startSession(c, user.username);
    if (isForm(c)) return c.redirect(safeNext(next), 303);
    return c.json({ user: publicUser(user) });
  });

  app.post("/logout", async (c) => {
    const id = authenticator.sessionId(c.req.raw);
    if (id !== undefined) await sessions.end(id);
    deleteCookie(c, options.cookieName, { path: "/", secure: secure(c) });
    if (isForm(c) && c.req.header("accept")?.includes("text/html")) return c.redirect(`${base}/login`, 303);
    return c.json({ ok: true });
  });

  app.get("/me", async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    return c.json({ user });
  });

  app.post("/setup", async (c) => {
    const { token, username, password } = await body(c, setupSchema);
    const user = await firstRun.complete(token, username, password);
    options.logger.info(`first admin ${user.username} created through setup`);
    await startSession(c, user.username);
    return c.json({ user: publicUser(user) }, 201);
  });

  app.get("/api/keys", async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    return c.json({ keys: await apiKeys.list(user.username) });
  });

  app.post("/api/keys", async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    if (user.via === "kernel-token") {
      throw new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", {
        details: "API keys belong to users; sign in as one to create them",
      });
    }
    const { name } = await body(c, keySchema);
    return c.json(await apiKeys.create(user.username, name), 201);
  });

  app.delete("/api/keys/:id", async (c) => {
    const user = await authenticator.requireUser(c.req.raw);
    const id = c.req.param("id");
    if (!(await apiKeys.revoke(user.username, id))) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "API key", id });
    }
    return c.body(null, 204);
  });

  app.get("/api/users", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    return c.json({ users: (await users.list()).map((user) => publicUser(user)) });
  });

  app.post("/api/users", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const input = await body(c, newUserSchema);
    return c.json({ user: publicUser(await users.create(input.username, input.password, input.roles)) }, 201);
  });

  app.put("/api/users/:name/roles", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const name = c.req.param("name");
    const stored = await users.get(name);
    if (!stored) throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "user", id: name });
    const { roles } = await body(c, rolesSchema);
    await users.put({ ...stored, roles });
    return c.json({ user: publicUser({ ...stored, roles }) });
  });

  app.delete("/api/users/:name", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const name = c.req.param("name");
    if (!(await users.remove(name)))
      throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "user", id: name });
    return c.body(null, 204);
  });

  app.get("/oidc/login", async (c) => {
    if (!options.oidc)
      throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "sign-in method", id: "oidc" });
    return c.redirect(
      await options.oidc.authorizationUrl(new URL(c.req.url), safeNext(c.req.query("next"))),
      302,
    );
  });

  app.get("/oidc/callback", async (c) => {
    const oidc = options.oidc;
    if (!oidc) throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "sign-in method", id: "oidc" });
    const code = c.req.query("code");
    const state = c.req.query("state");
    if (!code || !state) {
      const reason = c.req.query("error_description") ?? c.req.query("error") ?? "no code or state";
      throw new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", {
        details: `OpenID Connect callback: ${reason}`,
      });
    }
    const identity = await oidc.complete(code, state);
    const existing = await users.get(identity.username);
    const roles = new Set(existing?.roles ?? []);
    if (identity.admin) roles.add("admin");
    await users.put({
      username: identity.username,
      roles: [...roles],
      passwordHash: existing?.passwordHash,
      createdAt: existing?.createdAt ?? Date.now(),
    });
    await startSession(c, identity.username);
    return c.redirect(identity.next, 302);
  });

  return app;
}
