import type { FrameTimingSummary, PluginStatus, PoolStats } from "@buntime/sdk";
import type { Exposition } from "./exposition.ts";
import type { HttpMetrics } from "./http-metrics.ts";

/** Writes request counts, the latency histogram and requests in flight. */
export function writeHttpMetrics(out: Exposition, http: HttpMetrics): void {
  out.metric("buntime_http_requests_total", "counter", "Requests answered, by route, method and status.");
  for (const series of http.series()) {
    for (const [status, count] of series.statuses) {
      out.sample("buntime_http_requests_total", count, {
        route: series.route,
        method: series.method,
        status: String(status),
      });
    }
  }
  out.metric(
    "buntime_http_request_duration_seconds",
    "histogram",
    "Time from a request's arrival to its response headers, by route and method.",
  );
  for (const series of http.series()) {
    const labels = { route: series.route, method: series.method };
    let cumulative = 0;
    for (let index = 0; index < series.buckets.length; index++) {
      cumulative += series.buckets[index] as number;
      const le = index < http.bounds.length ? String(http.bounds[index]) : "+Inf";
      out.sample("buntime_http_request_duration_seconds_bucket", cumulative, { ...labels, le });
    }
    out.sample("buntime_http_request_duration_seconds_sum", series.sum, labels);
    out.sample("buntime_http_request_duration_seconds_count", series.count, labels);
  }
  out.metric("buntime_http_requests_in_flight", "gauge", "Requests that arrived and are not answered yet.");
  out.sample("buntime_http_requests_in_flight", http.inFlight);
}

/**
 * Writes the worker pool's figures, per app (`name@version`). The app's attributes, `mode` and
 * `isolation` (its tier), label the per-app series so `sum by (isolation)` works directly; the
 * series with a label of its own (`reason`) gets them through `buntime_pool_app_info`, the
 * Prometheus info-metric convention, to join on `app`. Latency is no quantile gauge here:
 * `buntime_http_request_duration_seconds` is the histogram, by route (an app's is `/<name>`).
 */
export function writePoolMetrics(out: Exposition, stats: PoolStats): void {
  const apps = Object.entries(stats.apps);
  out
    .metric("buntime_pool_workers", "gauge", "Workers alive in the pool.")
    .sample("buntime_pool_workers", stats.workers)
    .metric(
      "buntime_pool_evictions_total",
      "counter",
      "Apps evicted to make room for others (raise maxWorkers).",
    )
    .sample("buntime_pool_evictions_total", stats.evicted);
  out.metric("buntime_pool_app_info", "gauge", "Always 1; the app's mode and isolation tier as labels.");
  for (const [app, figures] of apps) {
    out.sample("buntime_pool_app_info", 1, { app, isolation: figures.isolation, mode: figures.mode });
  }
  const perApp: [string, "gauge" | "counter", string, (app: PoolStats["apps"][string]) => number][] = [
    ["buntime_pool_app_workers", "gauge", "Workers alive for the app.", (app) => app.workers],
    [
      "buntime_pool_app_requests_total",
      "counter",
      "Requests the pool sent to the app.",
      (app) => app.requests,
    ],
    [
      "buntime_pool_app_errors_total",
      "counter",
      "Requests answered with a 5xx by the pool or the app.",
      (app) => app.errors,
    ],
    ["buntime_pool_app_active", "gauge", "Requests of the app in flight.", (app) => app.active],
    ["buntime_pool_app_queued", "gauge", "Requests waiting for an ephemeral worker.", (app) => app.queued],
    ["buntime_pool_app_spawned_total", "counter", "Workers started for the app.", (app) => app.spawned],
    [
      "buntime_pool_app_terminated_total",
      "counter",
      "Workers of the app that ended.",
      (app) => app.terminated,
    ],
    [
      "buntime_pool_app_memory_bytes",
      "gauge",
      "Memory (JS heap plus ArrayBuffers) its workers last reported.",
      (app) => app.memory,
    ],
  ];
  for (const [name, type, help, value] of perApp) {
    out.metric(name, type, help);
    for (const [app, figures] of apps) {
      out.sample(name, value(figures), { app, mode: figures.mode, isolation: figures.isolation });
    }
  }
  out.metric("buntime_pool_app_recycled_total", "counter", "Workers of the app that ended, by reason.");
  for (const [app, figures] of apps) {
    for (const [reason, count] of Object.entries(figures.recycled)) {
      out.sample("buntime_pool_app_recycled_total", count, { app, reason });
    }
  }
}

/** Writes one `buntime_plugin_up` line per plugin, or `buntime_plugin_status_ok 0` when plugin status is off. */
export function writePluginMetrics(out: Exposition, plugins: readonly PluginStatus[] | undefined): void {
  out.metric("buntime_plugin_status_ok", "gauge", "1 when this scrape lists the kernel's plugins.");
  out.sample("buntime_plugin_status_ok", plugins ? 1 : 0);
  if (!plugins) return;
  out.metric("buntime_plugin_up", "gauge", "1 for a running plugin, 0 for one that failed to start.");
  for (const plugin of plugins) {
    out.sample("buntime_plugin_up", plugin.status === "running" ? 1 : 0, {
      plugin: plugin.name,
      version: plugin.version,
    });
  }
}

/**
 * Writes how fast frames answer the shell's INIT (reported by shells in browsers), when the
 * shell runs: a summary in seconds (quantiles over the shell's recent window, as it reports them;
 * the shell keeps no histogram, and no sum, so `_count` stands alone).
 */
export function writeFrameMetrics(out: Exposition, frames: FrameTimingSummary | undefined): void {
  if (frames === undefined) return;
  const name = "buntime_shell_frame_init_to_ready_seconds";
  out.metric(name, "summary", "Time from the shell's INIT to a frame's READY, over recent frames.");
  for (const [quantile, ms] of [
    ["0.5", frames.p50],
    ["0.95", frames.p95],
    ["1", frames.max],
  ] as const) {
    if (ms !== undefined) out.sample(name, ms / 1000, { quantile });
  }
  out.sample(`${name}_count`, frames.count);
}

/** Writes the kernel's version as an info metric. */
export function writeKernelInfo(out: Exposition, kernelVersion: string): void {
  out.metric("buntime_kernel_info", "gauge", "The kernel's version, as a label.");
  out.sample("buntime_kernel_info", 1, { version: kernelVersion });
}
