import { definePlugin, type PluginContext } from "@buntime/sdk";
import { z } from "zod";
import { HttpMetrics } from "./http-metrics.ts";
import { createMetricsRoutes } from "./routes.ts";

export type { Labels, MetricType } from "./exposition.ts";
export { Exposition } from "./exposition.ts";
export { DEFAULT_BUCKETS } from "./http-metrics.ts";
export { OTHER_ROUTE } from "./route-label.ts";
export { PROMETHEUS_CONTENT_TYPE } from "./routes.ts";
export type { MetricsSnapshot, RouteSnapshot } from "./snapshot.ts";

/** Settings of the metrics plugin; all optional. */
export const metricsConfigSchema = z
  .object({
    /** Distinct route labels kept; later routes are counted as `other`. @default 100 */
    maxRoutes: z.number().int().min(1).max(10_000).default(100),
    /** Upper bounds of the latency histogram's buckets, in seconds. @default DEFAULT_BUCKETS */
    buckets: z.array(z.number().positive().finite()).min(1).max(50).optional(),
    /** Read each plugin's status from the kernel's `/_/api/plugins` on every scrape. @default true */
    pluginStatus: z.boolean().default(true),
  })
  .strict();

/** The settings after defaults. */
export type ResolvedMetricsConfig = z.output<typeof metricsConfigSchema>;

interface MetricsState {
  readonly http: HttpMetrics;
  readonly handle: (request: Request) => Promise<Response | undefined>;
  kernelUrl: URL | undefined;
}

const states = new WeakMap<PluginContext, MetricsState>();

export default definePlugin({
  config: metricsConfigSchema,
  onInit(ctx) {
    const http = new HttpMetrics({ maxRoutes: ctx.config.maxRoutes, buckets: ctx.config.buckets });
    const state: MetricsState = {
      http,
      kernelUrl: undefined,
      handle: createMetricsRoutes({
        base: ctx.base ?? "/metrics",
        ctx,
        http,
        kernelUrl: () => (ctx.config.pluginStatus ? state.kernelUrl : undefined),
      }),
    };
    states.set(ctx, state);
  },
  onServerStart(ctx, server) {
    const state = states.get(ctx);
    if (state) state.kernelUrl = server.url;
  },
  onRequest(request, ctx) {
    states.get(ctx)?.http.arrived(request);
  },
  onResponse(response, request, ctx) {
    states.get(ctx)?.http.answered(response, request);
  },
  onShutdown(ctx) {
    states.delete(ctx);
  },
  fetch: (request, ctx) => states.get(ctx)?.handle(request),
});
