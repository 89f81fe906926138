import type { PluginContext, PluginRoutes, PluginStatus, RequestContext } from "@buntime/sdk";
import { Hono } from "hono";
import { type ClusterSummaryOptions, clusterSummary, summarize } from "./cluster-summary.ts";
import {
  writeFrameMetrics,
  writeHttpMetrics,
  writeKernelInfo,
  writePluginMetrics,
  writePoolMetrics,
} from "./collect.ts";
import { Exposition } from "./exposition.ts";
import type { HttpMetrics } from "./http-metrics.ts";
import { writeProcessMetrics } from "./process-metrics.ts";
import { metricsDescriptions } from "./route-descriptions.ts";
import { scrapeGuard } from "./scrape-token.ts";
import { takeSnapshot } from "./snapshot.ts";

/** The content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What the HTTP side of the metrics plugin reads. */
export interface MetricsRoutesOptions {
  /** Where the kernel mounts the routes: a browser asking for the bare base is sent to `<base>/`. */
  readonly base: string;
  readonly ctx: PluginContext;
  readonly http: HttpMetrics;
  /** Every plugin the kernel knows right now; `undefined` leaves plugin status out. */
  plugins(): readonly PluginStatus[] | undefined;
  /** The `node` label of every sample. */
  readonly node: string;
  /** When set, the Prometheus text needs `Authorization: Bearer <scrapeToken>` (or an admin). */
  readonly scrapeToken?: string;
  /** Where the cluster summary finds the other nodes, and how long it waits for each. */
  readonly cluster: Pick<ClusterSummaryOptions, "peers" | "timeoutMs">;
}

/**
 * The metrics plugin's HTTP side, mounted at its base: the Prometheus text at the base itself
 * (a browser asking for HTML is sent to the UI page instead), `api/snapshot` and `api/cluster`
 * (every node's summary) as JSON for the UI and, with a scrape token, `peer/summary` (this node's
 * summary for the other nodes). Other paths fall through to the kernel, which serves the UI
 * folder there. What each answers is in route-descriptions.ts (the OpenAPI document).
 */
export function createMetricsRoutes(options: MetricsRoutesOptions): PluginRoutes {
  const { base, ctx, http, plugins } = options;
  const app = new Hono<{ Bindings: RequestContext }>();
  const guard = scrapeGuard(options.scrapeToken);

  app.get("/", metricsDescriptions.exposition, (c) => {
    const browser = (c.req.header("accept") ?? "").includes("text/html");
    if (browser && c.req.query("format") !== "prometheus") return c.redirect(`${base}/`, 302);
    const refused = guard?.(c.req.raw, c.env);
    if (refused !== undefined) return refused;
    const out = new Exposition({ node: options.node });
    writeHttpMetrics(out, http);
    writePoolMetrics(out, ctx.pool.stats());
    writePluginMetrics(out, plugins());
    // the shell may be loaded or unloaded at any time: asked on each scrape
    writeFrameMetrics(
      out,
      ctx.services.has("frame-timings") ? ctx.services.get("frame-timings").summary() : undefined,
    );
    writeKernelInfo(out, ctx.kernel.version);
    writeProcessMetrics(out);
    return c.body(out.toString(), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
      "cache-control": "no-store",
    });
  });
  app.get("/api/snapshot", metricsDescriptions.snapshot, (c) => {
    c.header("cache-control", "no-store");
    return c.json(takeSnapshot(ctx.kernel.version, http, ctx.pool.stats(), plugins()));
  });
  app.get("/api/cluster", metricsDescriptions.cluster, async (c) => {
    c.header("cache-control", "no-store");
    const { scrapeToken, node } = options;
    return c.json(await clusterSummary(http, { ...options.cluster, self: node, base, scrapeToken }));
  });
  if (guard !== undefined) {
    // never open: without a scrape token there is no such route at all
    app.get("/peer/summary", metricsDescriptions.peer, (c) => {
      const refused = guard(c.req.raw, c.env);
      if (refused !== undefined) return refused;
      c.header("cache-control", "no-store");
      return c.json(summarize(options.node, http));
    });
  }
  return app;
}
