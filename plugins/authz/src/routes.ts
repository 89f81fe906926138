/**
 * The policy API, for admins only (through the `auth` service): `GET /api/policies`,
 * `PUT /api/policies/:id`, `DELETE /api/policies/:id`, and `GET /api/explain?method=&path=&user=&roles=&at=`,
 * which says what the policies decide for such a request and which rule decided.
 */
import {
  type AppsService,
  type AuthService,
  BuntimeError,
  type Logger,
  limitBody,
  type PluginRoutes,
} from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { decide } from "./decide.ts";
import { parsePolicy } from "./policy.ts";
import type { PolicyStore } from "./store.ts";

export interface AuthzRoutesOptions {
  readonly store: PolicyStore;
  readonly auth: () => AuthService | undefined;
  readonly apps: () => AppsService | undefined;
  readonly logger: Logger;
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_AUTHZ_POLICY_INVALID",
      { field: "body", details: "expected a JSON object" },
      { cause: error },
    );
  }
}

/** The query parameter `name`, required. */
function required(c: Context, name: string): string {
  const value = c.req.query(name);
  if (!value)
    throw new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", { field: name, details: "required" });
  return value;
}

/** Builds the Hono app the kernel mounts at the plugin's base. */
export function createAuthzRoutes(options: AuthzRoutesOptions): PluginRoutes {
  const { store, logger } = options;
  const app: PluginRoutes = new Hono();

  app.use("/api/*", async (c, next) => {
    const auth = options.auth();
    if (!auth)
      throw new BuntimeError("BUNTIME_ERR_APP_AUTH_MISSING", {
        app: "authz",
        visibility: "admin-only",
        plugin: "@buntime/plugin-auth",
      });
    await auth.requireRole(c.req.raw, "admin");
    await next();
  });
  app.use("/api/*", limitBody());

  app.get("/api/policies", async (c) => c.json({ policies: await store.list() }));

  app.put("/api/policies/:id", async (c) => {
    const body = await readJson(c);
    const policy = parsePolicy(body);
    if (policy.id !== c.req.param("id")) {
      throw new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", {
        field: "id",
        details: `the body's id ${policy.id} differs from the path's ${c.req.param("id")}`,
      });
    }
    await store.put(policy);
    logger.info(`policy ${policy.id} saved: ${policy.effect}`);
    return c.json({ policy });
  });

  app.delete("/api/policies/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await store.remove(id))) throw new BuntimeError("BUNTIME_ERR_AUTHZ_NOT_FOUND", { id });
    logger.info(`policy ${id} removed`);
    return c.body(null, 204);
  });

  app.get("/api/explain", async (c) => {
    const path = required(c, "path");
    if (!path.startsWith("/")) {
      throw new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", {
        field: "path",
        details: 'expected a path starting with "/"',
      });
    }
    const at = c.req.query("at") ? new Date(c.req.query("at") as string) : new Date();
    if (Number.isNaN(at.getTime())) {
      throw new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", {
        field: "at",
        details: "expected an ISO date",
      });
    }
    const subject = {
      user: c.req.query("user") || undefined,
      roles: (c.req.query("roles") ?? "").split(",").filter(Boolean),
      app: options.apps()?.locate(path)?.name,
      method: (c.req.query("method") ?? "GET").toUpperCase(),
      path,
      at,
    };
    const decision = decide(await store.list(), subject);
    // null rather than absent: "no rule decided" is the answer, not a missing field
    return c.json({
      subject: { ...subject, at: at.toISOString() },
      ...decision,
      rule: decision.rule ?? null,
    });
  });

  app.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    logger.error("authz API request failed", { error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });
  // other paths under the base fall through to the UI folder's files
  app.all("/api/*", (c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());
  return app;
}
