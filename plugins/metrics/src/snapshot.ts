import type { PluginStatus, PoolStats } from "@buntime/sdk";
import type { HttpMetrics } from "./http-metrics.ts";

/** One route and method in a snapshot. */
export interface RouteSnapshot {
  readonly route: string;
  readonly method: string;
  /** Answers by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Requests per latency bucket (not cumulative); the last one is past the largest bound. */
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** What the UI page polls: every figure at one instant, as JSON. */
export interface MetricsSnapshot {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly kernel: string;
  /** Upper bounds of the latency buckets, in seconds. */
  readonly bounds: readonly number[];
  readonly inFlight: number;
  readonly routes: readonly RouteSnapshot[];
  readonly pool: PoolStats;
  /** Every plugin the kernel knows, running or failed; `null` when plugin status is off. */
  readonly plugins: readonly PluginStatus[] | null;
}

/** Takes a snapshot of the figures for the UI page. */
export function takeSnapshot(
  kernel: string,
  http: HttpMetrics,
  pool: PoolStats,
  plugins: readonly PluginStatus[] | undefined,
): MetricsSnapshot {
  const routes: RouteSnapshot[] = [];
  for (const series of http.series()) {
    routes.push({
      route: series.route,
      method: series.method,
      statuses: Object.fromEntries(series.statuses),
      buckets: Array.from(series.buckets),
      sum: series.sum,
      count: series.count,
    });
  }
  return {
    time: Date.now(),
    kernel,
    bounds: http.bounds,
    inFlight: http.inFlight,
    routes,
    pool,
    plugins: plugins ?? null,
  };
}
