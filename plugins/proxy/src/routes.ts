/**
 * The rules API (the plugin's `routes`, mounted at its base), for admins only (checked through
 * the `auth` service): `GET /api/rules`, `POST /api/rules`, `PUT /api/rules/:id`,
 * `DELETE /api/rules/:id`. Changes apply to the next request, without a restart. Bodies over
 * 16 KiB are refused (413) before they are read.
 */
import { type AuthService, BuntimeError, type Logger, limitBody, type PluginRoutes } from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { parseRule, type RuleStore } from "./rule-store.ts";

export interface ProxyRoutesOptions {
  readonly store: RuleStore;
  /** The `auth` service, when a plugin provides it. */
  readonly auth: () => AuthService | undefined;
  readonly logger: Logger;
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_PROXY_RULE_INVALID",
      { details: "expected a JSON body" },
      { cause: error },
    );
  }
}

/** Builds the Hono app the kernel mounts at the plugin's base. */
export function createProxyRoutes(options: ProxyRoutesOptions): PluginRoutes {
  const { store, logger } = options;
  const app: PluginRoutes = new Hono();

  app.use("/api/*", async (c, next) => {
    const auth = options.auth();
    if (!auth) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_API_LOCKED", {
        details: "no plugin provides the auth service; set rules in the plugin settings instead",
      });
    }
    await auth.requireRole(c.req.raw, "admin");
    await next();
  });
  // a rule is a few hundred bytes: even an admin's request need not buffer more than 16 KiB
  app.use("/api/*", limitBody());

  app.get("/api/rules", (c) => c.json({ rules: store.list() }));

  app.post("/api/rules", async (c) => {
    const rule = parseRule(await readJson(c));
    await store.add(rule);
    logger.info(`rule ${rule.id} added: ${rule.path} -> ${rule.upstream}`);
    return c.json({ rule: { ...rule, source: "api" } }, 201);
  });

  app.put("/api/rules/:id", async (c) => {
    const rule = parseRule(await readJson(c));
    await store.replace(c.req.param("id"), rule);
    logger.info(`rule ${rule.id} changed: ${rule.path} -> ${rule.upstream}`);
    return c.json({ rule: { ...rule, source: "api" } });
  });

  app.delete("/api/rules/:id", async (c) => {
    await store.remove(c.req.param("id"));
    logger.info(`rule ${c.req.param("id")} removed`);
    return c.body(null, 204);
  });

  app.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    logger.error("proxy API request failed", { error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });
  // The base is the plugin's own: a path under it that no route takes is a coded 404 here.
  app.all("*", (c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());
  return app;
}
