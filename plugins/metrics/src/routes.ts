import type { PluginContext } from "@buntime/sdk";
import { Hono } from "hono";
import { writeHttpMetrics, writePluginMetrics, writePoolMetrics, writeProcessMetrics } from "./collect.ts";
import { Exposition } from "./exposition.ts";
import type { HttpMetrics } from "./http-metrics.ts";
import { cachedPluginStatus } from "./plugin-status.ts";
import { takeSnapshot } from "./snapshot.ts";

/** The content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What the HTTP side of the metrics plugin reads. */
export interface MetricsRoutesOptions {
  readonly base: string;
  readonly ctx: PluginContext;
  readonly http: HttpMetrics;
  /** Where the kernel listens, once it does; `undefined` leaves plugin status out. */
  kernelUrl(): URL | undefined;
}

/**
 * The metrics plugin's HTTP side under its base: the Prometheus text at the base itself (a
 * browser asking for HTML is sent to the UI page instead), `api/snapshot` as JSON for the UI,
 * and the UI page at `<base>/`. Requests it has no route for resolve to `undefined`.
 */
export function createMetricsRoutes(
  options: MetricsRoutesOptions,
): (request: Request) => Promise<Response | undefined> {
  const { base, ctx, http } = options;
  const pluginStatus = cachedPluginStatus(options.kernelUrl);
  const declined = new Response(null, { status: 404 });
  const app = new Hono().basePath(base);

  app.get("/", async (c) => {
    const browser = (c.req.header("accept") ?? "").includes("text/html");
    if (browser && c.req.query("format") !== "prometheus") return c.redirect(`${base}/`, 302);
    const out = new Exposition();
    writeHttpMetrics(out, http);
    writePoolMetrics(out, ctx.pool.stats());
    writePluginMetrics(out, await pluginStatus());
    writeProcessMetrics(out, ctx.kernel.version);
    return c.body(out.toString(), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
      "cache-control": "no-store",
    });
  });
  app.get("/api/snapshot", async (c) => {
    const plugins = await pluginStatus();
    c.header("cache-control", "no-store");
    return c.json(takeSnapshot(ctx.kernel.version, http, ctx.pool.stats(), plugins));
  });
  app.notFound(() => declined);
  return async (request) => {
    const response = await app.fetch(request);
    return response === declined ? undefined : response;
  };
}
