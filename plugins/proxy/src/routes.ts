/**
 * The rules API (the plugin's `routes`, mounted at its base), for admins only (checked through
 * the `auth` service): `GET /api/rules`, `POST /api/rules`, `PUT /api/rules/:id`,
 * `DELETE /api/rules/:id`. Changes apply to the next request, without a restart. Bodies over
 * 16 KiB are refused (413) before they are read.
 */
import {
  type AuthService,
  BuntimeError,
  describeRoute,
  errorResponses,
  formatZodIssues,
  jsonResponse,
  type Logger,
  limitBody,
  type PluginRoutes,
  validate,
} from "@buntime/sdk";
import { Hono } from "hono";
import { z } from "zod";
import { ruleSchema } from "./rule.ts";
import type { RuleStore } from "./rule-store.ts";

export interface ProxyRoutesOptions {
  readonly store: RuleStore;
  /** The `auth` service, when a plugin provides it. */
  readonly auth: () => AuthService | undefined;
  readonly logger: Logger;
}

/** The rule body, refused with `BUNTIME_ERR_PROXY_RULE_INVALID` naming each bad field. */
const ruleBody = validate(
  "json",
  ruleSchema,
  (problems, error) =>
    new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
      details: error ? formatZodIssues(error, "rule") : problems,
    }),
);
const savedRule = z.object({ rule: ruleSchema.extend({ source: z.literal("api") }) });
const ADMIN_ERRORS = {
  401: "not signed in",
  403: "not an admin, or no plugin provides the auth service (BUNTIME_ERR_PROXY_API_LOCKED)",
  413: "a body over 16 KiB",
};

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

  app.get(
    "/api/rules",
    describeRoute({
      summary: "The rules, from the settings (read-only) and from this API",
      responses: {
        200: jsonResponse(
          "the rules",
          z.object({ rules: z.array(ruleSchema.extend({ source: z.enum(["config", "api"]) })) }),
        ),
        ...errorResponses(ADMIN_ERRORS),
      },
    }),
    (c) => c.json({ rules: store.list() }),
  );

  app.post(
    "/api/rules",
    describeRoute({
      summary: "Adds a rule; it applies to the next request",
      responses: {
        201: jsonResponse("added", savedRule),
        ...errorResponses({
          400: "a bad rule, or a taken id (BUNTIME_ERR_PROXY_RULE_INVALID)",
          ...ADMIN_ERRORS,
        }),
      },
    }),
    ruleBody,
    async (c) => {
      const rule = c.req.valid("json");
      await store.add(rule);
      logger.info(`rule ${rule.id} added: ${rule.path} -> ${rule.upstream}`);
      return c.json({ rule: { ...rule, source: "api" } }, 201);
    },
  );

  app.put(
    "/api/rules/:id",
    describeRoute({
      summary: "Replaces a rule added through the API",
      responses: {
        200: jsonResponse("replaced", savedRule),
        ...errorResponses({
          400: "a bad rule, or an id other than the path's (BUNTIME_ERR_PROXY_RULE_INVALID)",
          404: "no such rule (BUNTIME_ERR_PROXY_RULE_NOT_FOUND)",
          409: "the rule comes from the settings, or changed on other nodes meanwhile",
          ...ADMIN_ERRORS,
        }),
      },
    }),
    ruleBody,
    async (c) => {
      const rule = c.req.valid("json");
      await store.replace(c.req.param("id"), rule);
      logger.info(`rule ${rule.id} changed: ${rule.path} -> ${rule.upstream}`);
      return c.json({ rule: { ...rule, source: "api" } });
    },
  );

  app.delete(
    "/api/rules/:id",
    describeRoute({
      summary: "Removes a rule added through the API",
      responses: {
        204: { description: "removed" },
        ...errorResponses({
          404: "no such rule (BUNTIME_ERR_PROXY_RULE_NOT_FOUND)",
          409: "the rule comes from the settings (BUNTIME_ERR_PROXY_RULE_READONLY)",
          ...ADMIN_ERRORS,
        }),
      },
    }),
    async (c) => {
      await store.remove(c.req.param("id"));
      logger.info(`rule ${c.req.param("id")} removed`);
      return c.body(null, 204);
    },
  );

  app.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    logger.error("proxy API request failed", { error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });
  // The base is the plugin's own: a path under it that no route takes is a coded 404 here.
  app.all("*", (c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());
  return app;
}
