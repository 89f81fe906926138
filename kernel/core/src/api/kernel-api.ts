import {
  BuntimeError,
  contextPath,
  formatZodIssues,
  limitBody,
  type PoolStats,
  packageNameSchema,
  type RequestContext,
} from "@buntime/sdk";
import { Hono } from "hono";
import semver from "semver";
import { z } from "zod";
import type { ClusterNode } from "../cluster/index.ts";
import type { PluginStatus } from "../plugins/loaded-plugin.ts";
import { KERNEL_VERSION } from "../version.ts";
import { hasAdminToken } from "./admin-token.ts";
import { clusterView } from "./cluster-view.ts";
import type { Readiness } from "./health.ts";

/** What the kernel API reads and drives. */
export interface KernelApiDeps {
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
}

/** A plugin installed in the home, by name and version. */
export interface InstalledRef {
  readonly name: string;
  readonly version: string;
}

/** An exact version: a path segment of `<home>/plugins/<name>/<version>`, so never `..` or `a/b`. */
const exactVersionSchema = z.string().refine((version) => semver.valid(version) !== null, {
  error: "expected an exact semver version such as 1.2.0",
});
const installedRefSchema = z.object({ name: packageNameSchema, version: exactVersionSchema }).strict();
const batchRequestSchema = z.object({ plugins: z.array(installedRefSchema).min(1).max(200) }).strict();
const unloadRequestSchema = z.object({ names: z.array(packageNameSchema).min(1).max(200) }).strict();

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

  api.get("/health", (c) =>
    c.json({
      status: "ok",
      version: KERNEL_VERSION,
      uptimeMs: Math.round(performance.now() - deps.startedAt),
    }),
  );
  // Kubernetes' liveness probe: answering at all is the point, so it runs nothing
  api.get("/health/live", (c) => c.json({ status: "ok" }));
  api.get("/health/ready", async (c) => {
    const report = await deps.readiness.run();
    return c.json(report, report.status === "ready" ? 200 : 503, { "cache-control": "no-store" });
  });
  api.get("/plugins", (c) => c.json({ plugins: deps.plugins() }));
  api.get("/pool", (c) => c.json(deps.poolStats()));
  api.get("/cluster", async (c) =>
    c.json(await clusterView(deps.cluster), 200, { "cache-control": "no-store" }),
  );

  api.post("/plugins", async (c) => {
    const body = batchRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      return new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
        details: `expected a JSON body {"plugins": [{"name", "version"}, ...]} naming plugins installed in this home (${formatZodIssues(body.error)})`,
      }).getResponse();
    }
    return c.json({ plugins: await deps.loadInstalled(body.data.plugins) }, 201);
  });

  api.post("/plugins/unload", async (c) => {
    const body = unloadRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      return new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
        details: 'expected a JSON body {"names": ["<plugin>", ...]} naming loaded plugins',
      }).getResponse();
    }
    await deps.unload(body.data.names);
    return c.body(null, 204);
  });

  api.delete("/plugins/:name{.+}", async (c) => {
    const name = packageNameSchema.safeParse(c.req.param("name"));
    if (!name.success) {
      return new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
        details: `${JSON.stringify(c.req.param("name"))} is no plugin name: expected an npm package name such as @scope/name`,
      }).getResponse();
    }
    await deps.unload([name.data]);
    return c.body(null, 204);
  });

  api.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    throw error; // the pipeline turns anything else into a logged 500
  });
  api.notFound((c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());
  return api;
}
