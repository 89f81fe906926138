/**
 * @buntime/plugin-metrics: counts and times every request per route, and serves them with the
 * worker pool's figures, each plugin's status (from `kernel:plugins`) and the process's memory as
 * Prometheus text at its base, a JSON snapshot, and a UI page of charts.
 */
import { hostname } from "node:os";
import { definePlugin, schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";
import { HttpMetrics } from "./http-metrics.ts";
import { createMetricsRoutes } from "./routes.ts";

export type { ClusterSummary, NodeEntry, NodeSummary } from "./cluster-summary.ts";
export type { Labels, MetricType } from "./exposition.ts";
export { Exposition } from "./exposition.ts";
export { DEFAULT_BUCKETS } from "./http-metrics.ts";
export { OTHER_ROUTE } from "./route-label.ts";
export { PROMETHEUS_CONTENT_TYPE } from "./routes.ts";
export type { MetricsSnapshot, RouteSnapshot } from "./snapshot.ts";

/** Settings of the metrics plugin; all optional. */
export const metricsConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Distinct route labels kept; later routes are counted as `other`. @default 100 */
    maxRoutes: z.number().int().min(1).max(10_000).default(100),
    /** Upper bounds of the latency histogram's buckets, in seconds. @default DEFAULT_BUCKETS */
    buckets: z.array(z.number().positive().finite()).min(1).max(50).optional(),
    /** List each plugin's status (from the kernel's `kernel:plugins` service) on every scrape. @default true */
    pluginStatus: z.boolean().default(true),
    /**
     * A bearer token Prometheus sends to read the text (`authorization.credentials` in
     * prometheus.yml); unset, access is the auth plugin's to decide. At least 16 characters.
     */
    scrapeToken: z.string().min(16).max(512).optional(),
    /** The `node` label of every sample. @default the kernel's node name (`cluster.node`, `BUNTIME_NODE`, else the host name) */
    node: z.string().min(1).max(128).optional(),
    /** Milliseconds the cluster summary waits for a node before it lists it missing. @default 3000 */
    clusterTimeout: z.number().int().min(100).max(60_000).default(3000),
  })
  .strict();

/** The settings after defaults. */
export type ResolvedMetricsConfig = z.output<typeof metricsConfigSchema>;

/** The metrics plugin: its counters live in `setup`'s closure, one set per loaded copy. */
export default definePlugin({
  config: metricsConfigSchema,
  setup(ctx) {
    const http = new HttpMetrics({ maxRoutes: ctx.config.maxRoutes, buckets: ctx.config.buckets });
    const kernelPlugins = ctx.config.pluginStatus ? ctx.services.get("kernel:plugins") : undefined;
    const kernelCluster = ctx.services.has("kernel:cluster") ? ctx.services.get("kernel:cluster") : undefined;
    return {
      onRequest(_request, context) {
        http.arrived(context);
      },
      onResponse(response, request, context) {
        http.answered(response, request, context);
      },
      routes: createMetricsRoutes({
        base: ctx.base ?? "/metrics",
        ctx,
        http,
        plugins: () => kernelPlugins?.list(),
        node: ctx.config.node ?? kernelCluster?.node ?? (process.env.BUNTIME_NODE || hostname()),
        scrapeToken: ctx.config.scrapeToken,
        cluster: {
          timeoutMs: ctx.config.clusterTimeout,
          // every node with the address it recorded; undefined on a single kernel
          peers: async () => {
            const view = await kernelCluster?.view();
            return view?.cluster ? view.nodes : undefined;
          },
        },
      }),
    };
  },
});
