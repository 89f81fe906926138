import {
  BuntimeError,
  clusterViewSchema,
  contextPath,
  describeRoute,
  errorResponses,
  jsonResponse,
  limitBody,
  type PoolStats,
  type RequestContext,
  validate,
} from "@buntime/sdk";
import { Hono } from "hono";
import type { ClusterNode } from "../cluster/index.ts";
import type { PluginStatus } from "../plugins/loaded-plugin.ts";
import { KERNEL_VERSION } from "../version.ts";
import { hasAdminToken } from "./admin-token.ts";
import { clusterView } from "./cluster-view.ts";
import type { Readiness } from "./health.ts";
import {
  batchRequestSchema,
  healthSchema,
  pluginListSchema,
  pluginNameParamSchema,
  poolStatsSchema,
  readinessSchema,
  unloadRequestSchema,
} from "./kernel-api-schemas.ts";
import { openApiDocuments, type RoutedPlugin } from "./openapi-document.ts";
import { createSchemasApi, type SchemasDeps } from "./schemas.ts";

/** What the kernel API reads and drives. */
export interface KernelApiDeps extends SchemasDeps {
  readonly adminToken: string;
  readonly startedAt: number;
  /** What `GET /_/api/health/ready` runs: plugins started, pool up, storage reachable, and more. */
  readonly readiness: Readiness;
  plugins(): PluginStatus[];
  poolStats(): PoolStats;
  /** This kernel's cluster node (config `cluster`), else undefined: `GET /cluster` reads it. */
  readonly cluster?: ClusterNode;
  /**
   * Loads each `<home>/plugins/<name>/<version>/` into the running kernel, or swaps it in for
   * the loaded version, all or nothing, in dependency order.
   */
  loadInstalled(plugins: readonly InstalledRef[]): Promise<PluginStatus[]>;
  /** Unloads plugins as one batch, dependents first. */
  unload(names: readonly string[]): Promise<void>;
  /**
   * The running plugins whose `routes` `GET /openapi.json` describes; a new array whenever the
   * set changes (the document is rebuilt then). Without it the document has the kernel API only.
   */
  routedPlugins?(): readonly RoutedPlugin[];
}

/** A plugin installed in the home, by name and version. */
export interface InstalledRef {
  readonly name: string;
  readonly version: string;
}

/** The answers every write may give besides its own. */
const WRITE_ERRORS = {
  401: "without the admin token or a signed-in admin (BUNTIME_ERR_UNAUTHORIZED)",
  413: "a body over 64 KiB (BUNTIME_ERR_BODY_TOO_LARGE)",
};
const NO_PLUGINS: readonly RoutedPlugin[] = [];

/**
 * True when the caller may write: it holds the kernel's admin token, or a plugin's `onRequest`
 * (the auth plugin) vouched for it as a signed-in user with the `admin` role.
 */
function mayWrite(request: Request, context: RequestContext | undefined, adminToken: string): boolean {
  return hasAdminToken(request, adminToken) || context?.locals.user?.roles.includes("admin") === true;
}

/** The largest request body the kernel API reads. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The kernel's own API under `/_/api`: `health`, `plugins`, `pool` and `cluster` for everyone (after the
 * `onRequest` hooks, so an auth plugin can guard them), and plugin load/unload for callers
 * holding the admin token or signed in as admins.
 */
export function createKernelApi(deps: KernelApiDeps): Hono<{ Bindings: RequestContext }> {
  const api = new Hono<{ Bindings: RequestContext }>({ getPath: contextPath }).basePath("/_/api");

  api.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && !mayWrite(c.req.raw, c.env, deps.adminToken)) {
      return new BuntimeError("BUNTIME_ERR_UNAUTHORIZED", {
        action: `${c.req.method} ${c.req.path}`,
      }).getResponse({
        "www-authenticate": 'Bearer realm="buntime"',
      });
    }
    await next();
  });
  // a batch of the most plugins a request may name fits well within this
  api.use("*", limitBody(MAX_BODY_BYTES));

  api.get(
    "/health",
    describeRoute({ summary: "The kernel answers", responses: { 200: jsonResponse("up", healthSchema) } }),
    (c) =>
      c.json({
        status: "ok",
        version: KERNEL_VERSION,
        uptimeMs: Math.round(performance.now() - deps.startedAt),
      }),
  );
  // Kubernetes' liveness probe: answering at all is the point, so it runs nothing
  api.get(
    "/health/live",
    describeRoute({
      summary: "Kubernetes' liveness probe",
      responses: { 200: jsonResponse("the process answers", healthSchema.pick({ status: true })) },
    }),
    (c) => c.json({ status: "ok" }),
  );
  api.get(
    "/health/ready",
    describeRoute({
      summary: "Kubernetes' readiness probe: plugins started, pool up, storage reachable",
      responses: {
        200: jsonResponse("every check passes", readinessSchema),
        503: jsonResponse("a check fails; each failing check says why", readinessSchema),
      },
    }),
    async (c) => {
      const report = await deps.readiness.run();
      return c.json(report, report.status === "ready" ? 200 : 503, { "cache-control": "no-store" });
    },
  );
  api.get(
    "/plugins",
    describeRoute({
      summary: "The plugins the kernel knows, running or failed",
      responses: { 200: jsonResponse("the plugins", pluginListSchema) },
    }),
    (c) => c.json({ plugins: deps.plugins() }),
  );
  api.get(
    "/pool",
    describeRoute({
      summary: "The worker pool's figures per app",
      responses: { 200: jsonResponse("the pool", poolStatsSchema) },
    }),
    (c) => c.json(deps.poolStats()),
  );
  api.get(
    "/cluster",
    describeRoute({
      summary: "What every cluster node last reported",
      responses: { 200: jsonResponse("the cluster view, or { cluster: false }", clusterViewSchema) },
    }),
    async (c) => c.json(await clusterView(deps.cluster), 200, { "cache-control": "no-store" }),
  );
  const documents = openApiDocuments(api);
  api.get(
    "/openapi.json",
    describeRoute({
      summary: "This document: the kernel API and the routes of every running plugin",
      responses: { 200: { description: "an OpenAPI 3.1 document" } },
    }),
    async (c) =>
      c.json(await documents(deps.routedPlugins?.() ?? NO_PLUGINS), 200, { "cache-control": "no-cache" }),
  );

  api.post(
    "/plugins",
    describeRoute({
      summary: "Loads installed plugins, or swaps them in for the running versions, all or nothing",
      security: [{ adminToken: [] }],
      responses: {
        201: jsonResponse("the batch runs", pluginListSchema),
        ...errorResponses({
          ...WRITE_ERRORS,
          404: "a plugin not installed in this home",
          409: "a dependency problem, or a base another plugin or an app has",
          500: "a setup in the batch failed (BUNTIME_ERR_PLUGIN_START_FAILED); nothing changed",
        }),
      },
    }),
    validate(
      "json",
      batchRequestSchema,
      (problems) =>
        `expected a JSON body {"plugins": [{"name", "version"}, ...]} naming plugins installed in this home (${problems})`,
    ),
    async (c) => c.json({ plugins: await deps.loadInstalled(c.req.valid("json").plugins) }, 201),
  );

  api.post(
    "/plugins/unload",
    describeRoute({
      summary: "Unloads plugins as one batch, dependents first, all or nothing",
      security: [{ adminToken: [] }],
      responses: {
        204: { description: "unloaded" },
        ...errorResponses({
          ...WRITE_ERRORS,
          404: "a plugin that is not loaded",
          409: "a plugin outside the batch depends on one",
        }),
      },
    }),
    validate(
      "json",
      unloadRequestSchema,
      (problems) => `expected a JSON body {"names": ["<plugin>", ...]} naming loaded plugins (${problems})`,
    ),
    async (c) => {
      await deps.unload(c.req.valid("json").names);
      return c.body(null, 204);
    },
  );

  api.delete(
    "/plugins/:name{.+}",
    describeRoute({
      summary: "Unloads one plugin",
      security: [{ adminToken: [] }],
      responses: {
        204: { description: "unloaded" },
        ...errorResponses({ 401: WRITE_ERRORS[401], 404: "not loaded", 409: "another plugin depends on it" }),
      },
    }),
    validate(
      "param",
      pluginNameParamSchema,
      (problems) => `no plugin name: expected an npm package name such as @scope/name (${problems})`,
    ),
    async (c) => {
      await deps.unload([c.req.valid("param").name]);
      return c.body(null, 204);
    },
  );

  api.route("/", createSchemasApi(deps));

  api.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    throw error; // the pipeline turns anything else into a logged 500
  });
  api.notFound((c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());
  return api;
}
