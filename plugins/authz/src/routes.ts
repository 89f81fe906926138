/**
 * The policy API, for admins only (through the `auth` service): `GET /api/policies`,
 * `PUT /api/policies/:id`, `DELETE /api/policies/:id`, and `GET /api/explain?method=&path=&user=&roles=&at=`,
 * which says what the policies decide for such a request and which rule decided.
 */
import {
  type AppsService,
  type AuthService,
  BuntimeError,
  describeRoute,
  errorResponses,
  jsonResponse,
  type Logger,
  limitBody,
  type PluginRoutes,
  validate,
} from "@buntime/sdk";
import { Hono } from "hono";
import { z } from "zod";
import { decide } from "./decide.ts";
import { policyInvalid, policySchema } from "./policy.ts";
import type { PolicyStore } from "./store.ts";

export interface AuthzRoutesOptions {
  readonly store: PolicyStore;
  readonly auth: () => AuthService | undefined;
  readonly apps: () => AppsService | undefined;
  readonly logger: Logger;
}

/** `GET /api/explain`'s query: the request to explain. */
const explainQuerySchema = z.object({
  path: z.string().startsWith("/", { message: 'expected a path starting with "/"' }),
  method: z.string().optional().describe("GET when left out"),
  user: z.string().optional(),
  roles: z.string().optional().describe("comma-separated"),
  at: z
    .string()
    .refine((at) => !Number.isNaN(new Date(at).getTime()), { message: "expected an ISO date" })
    .optional()
    .describe("when, as an ISO date; now when left out"),
});

const explanationSchema = z.object({
  subject: z.object({
    user: z.string().optional(),
    roles: z.array(z.string()),
    app: z.string().optional(),
    method: z.string(),
    path: z.string(),
    at: z.string(),
  }),
  allowed: z.boolean(),
  rule: z.string().nullable().describe("the policy that decided, null for the default deny"),
  reason: z.string(),
  matched: z.array(z.string()),
});

const ADMIN_ERRORS = { 401: "not signed in", 403: "not an admin", 413: "a body over 16 KiB" };
const invalid = (description: string) => ({
  ...errorResponses({ 400: `${description} (BUNTIME_ERR_AUTHZ_POLICY_INVALID, naming the field)` }),
});

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

  app.get(
    "/api/policies",
    describeRoute({
      summary: "The policies, for admins",
      responses: {
        200: jsonResponse("the policies", z.object({ policies: z.array(policySchema) })),
        ...errorResponses(ADMIN_ERRORS),
      },
    }),
    async (c) => c.json({ policies: await store.list() }),
  );

  app.put(
    "/api/policies/:id",
    describeRoute({
      summary: "Saves a policy under its id",
      responses: {
        200: jsonResponse("saved", z.object({ policy: policySchema })),
        ...invalid("a bad policy, or an id other than the path's"),
        ...errorResponses(ADMIN_ERRORS),
      },
    }),
    validate("json", policySchema, (_, error) => policyInvalid(error)),
    async (c) => {
      const policy = c.req.valid("json");
      if (policy.id !== c.req.param("id")) {
        throw new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", {
          field: "id",
          details: `the body's id ${policy.id} differs from the path's ${c.req.param("id")}`,
        });
      }
      await store.put(policy);
      logger.info(`policy ${policy.id} saved: ${policy.effect}`);
      return c.json({ policy });
    },
  );

  app.delete(
    "/api/policies/:id",
    describeRoute({
      summary: "Removes a policy",
      responses: {
        204: { description: "removed" },
        ...errorResponses({ ...ADMIN_ERRORS, 404: "no such policy (BUNTIME_ERR_AUTHZ_NOT_FOUND)" }),
      },
    }),
    async (c) => {
      const id = c.req.param("id");
      if (!(await store.remove(id))) throw new BuntimeError("BUNTIME_ERR_AUTHZ_NOT_FOUND", { id });
      logger.info(`policy ${id} removed`);
      return c.body(null, 204);
    },
  );

  app.get(
    "/api/explain",
    describeRoute({
      summary: "What the policies decide for a request, and which rule decided",
      responses: {
        200: jsonResponse("the decision", explanationSchema),
        ...invalid("a bad query"),
        ...errorResponses(ADMIN_ERRORS),
      },
    }),
    validate("query", explainQuerySchema, (_, error) => policyInvalid(error, "query")),
    async (c) => {
      const query = c.req.valid("query");
      const at = query.at ? new Date(query.at) : new Date();
      const subject = {
        user: query.user || undefined,
        roles: (query.roles ?? "").split(",").filter(Boolean),
        app: options.apps()?.locate(query.path)?.name,
        method: (query.method ?? "GET").toUpperCase(),
        path: query.path,
        at,
      };
      const decision = decide(await store.list(), subject);
      // null rather than absent: "no rule decided" is the answer, not a missing field
      return c.json({
        subject: { ...subject, at: at.toISOString() },
        ...decision,
        rule: decision.rule ?? null,
      });
    },
  );

  app.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    logger.error("authz API request failed", { error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });
  // other paths under the base fall through to the UI folder's files
  app.all("/api/*", (c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());
  return app;
}
