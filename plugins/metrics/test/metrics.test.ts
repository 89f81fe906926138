import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import { Exposition, type MetricsSnapshot } from "@buntime/plugin-metrics";
import { definePlugin, type PluginDefinition } from "@buntime/sdk";
import { withoutNode } from "./fixtures/without-node.ts";

/** The plugin's own folder: loaded from there, it also serves its `ui` folder. */
const PLUGIN_DIR = join(import.meta.dir, "..");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const metricsPlugin = PLUGIN_DIR;

function plugin(name: string, base: string, setup: PluginDefinition["setup"]): TestPlugin {
  return {
    packageJson: { name, version: "1.0.0", buntime: { kernel: "^0.1.0", base } },
    plugin: definePlugin({ setup }),
  };
}

const hello = plugin("hello", "/hello", () => ({ fetch: () => new Response("hi") }));

async function start(settings: Record<string, unknown> = {}, extra: TestPlugin[] = [hello]) {
  const kernel = await createTestKernel({
    plugins: [metricsPlugin, ...extra],
    config: { plugins: { "@buntime/plugin-metrics": settings } },
  });
  cleanups.push(() => kernel.stop());
  return kernel;
}

async function scrape(kernel: TestKernel): Promise<string> {
  const response = await kernel.fetch("/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return withoutNode(await response.text());
}

/** The value of the sample written exactly as `series` (name and labels), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("metrics plugin", () => {
  it("counts requests by route, method and status", async () => {
    const kernel = await start();
    await kernel.fetch("/hello/a");
    await kernel.fetch("/hello/b?x=1");
    await kernel.fetch("/hello", { method: "POST" });
    await kernel.fetch("/hello", { method: "PROPFIND" });
    const text = await scrape(kernel);
    expect(sample(text, 'buntime_http_requests_total{route="/hello",method="OTHER",status="200"}')).toBe(1);
    expect(text).toContain("# TYPE buntime_http_requests_total counter");
    expect(sample(text, 'buntime_http_requests_total{route="/hello",method="GET",status="200"}')).toBe(2);
    expect(sample(text, 'buntime_http_requests_total{route="/hello",method="POST",status="200"}')).toBe(1);
  });

  it("keeps a latency histogram per route whose buckets add up", async () => {
    const slow = plugin("slow", "/slow", () => ({
      fetch: async () => {
        await Bun.sleep(40); // gives the request a latency to measure
        return new Response("late");
      },
    }));
    const kernel = await start({ buckets: [10, 0.01] }, [slow]);
    await kernel.fetch("/slow");
    await kernel.fetch("/slow");
    const text = await scrape(kernel);
    const labels = 'route="/slow",method="GET"';
    expect(text).toContain("# TYPE buntime_http_request_duration_seconds histogram");
    expect(sample(text, `buntime_http_request_duration_seconds_bucket{${labels},le="0.01"}`)).toBe(0);
    expect(sample(text, `buntime_http_request_duration_seconds_bucket{${labels},le="10"}`)).toBe(2);
    expect(sample(text, `buntime_http_request_duration_seconds_bucket{${labels},le="+Inf"}`)).toBe(2);
    expect(sample(text, `buntime_http_request_duration_seconds_count{${labels}}`)).toBe(2);
    expect(sample(text, `buntime_http_request_duration_seconds_sum{${labels}}`)).toBeGreaterThan(0.06);
  });

  it("labels an app's versions with the app's route and gives unknown 404 paths no label", async () => {
    // Stands in for the router at /: apps answer, anything else is 404.
    const apps = plugin("apps", "/", () => ({
      fetch: (request) => new Response(null, { status: request.url.includes("/probe") ? 404 : 200 }),
    }));
    const kernel = await start({}, [apps]);
    await kernel.fetch("/hello@1.2.0/x");
    await kernel.fetch("/probe-1/wp-login.php");
    await kernel.fetch("/probe-2");
    const text = await scrape(kernel);
    expect(sample(text, 'buntime_http_requests_total{route="/hello",method="GET",status="200"}')).toBe(1);
    expect(sample(text, 'buntime_http_requests_total{route="other",method="GET",status="404"}')).toBe(2);
    expect(text).not.toContain("probe");
  });

  it("counts routes past maxRoutes as other", async () => {
    const extra = ["/a", "/b", "/c"].map((base) =>
      plugin(`p${base.slice(1)}`, base, () => ({ fetch: () => new Response("") })),
    );
    const kernel = await start({ maxRoutes: 2 }, extra);
    for (const path of ["/a", "/b", "/c", "/c"]) await kernel.fetch(path);
    const text = await scrape(kernel);
    expect(sample(text, 'buntime_http_requests_total{route="/a",method="GET",status="200"}')).toBe(1);
    expect(sample(text, 'buntime_http_requests_total{route="/b",method="GET",status="200"}')).toBe(1);
    expect(sample(text, 'buntime_http_requests_total{route="other",method="GET",status="200"}')).toBe(2);
    expect(text).not.toContain('route="/c"');
  });

  it("shows requests in flight, the scrape itself included", async () => {
    let release = () => {};
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const held = plugin("held", "/held", () => ({
      fetch: () =>
        new Promise<Response>((resolve) => {
          release = () => resolve(new Response("done"));
          entered();
        }),
    }));
    const kernel = await start({}, [held]);
    expect(sample(await scrape(kernel), "buntime_http_requests_in_flight")).toBe(1);
    const pending = kernel.fetch("/held");
    await inside;
    expect(sample(await scrape(kernel), "buntime_http_requests_in_flight")).toBe(2);
    release();
    expect(await (await pending).text()).toBe("done");
    expect(sample(await scrape(kernel), "buntime_http_requests_in_flight")).toBe(1);
  });

  it("reports the worker pool's figures per app", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buntime-metrics-app-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const entry = join(dir, "index.ts");
    writeFileSync(entry, "export default { fetch: () => new Response('from the worker') };");
    const runner = plugin("runner", "/run", (ctx) => ({
      fetch: (request) => ctx.pool.fetch({ name: "echo", version: "1.0.0", entry }, request),
    }));
    const kernel = await start({}, [runner]);
    expect(await (await kernel.fetch("/run")).text()).toBe("from the worker");
    const text = await scrape(kernel);
    expect(sample(text, "buntime_pool_workers")).toBeGreaterThanOrEqual(1);
    expect(sample(text, "buntime_pool_evictions_total")).toBe(0);
    expect(
      sample(text, 'buntime_pool_app_requests_total{app="echo@1.0.0",mode="persistent",isolation="thread"}'),
    ).toBe(1);
    expect(
      sample(text, 'buntime_pool_app_errors_total{app="echo@1.0.0",mode="persistent",isolation="thread"}'),
    ).toBe(0);
    // latency is a histogram (by route), never a quantile-labelled gauge
    expect(text).not.toContain("buntime_pool_app_latency_seconds");
    expect(sample(text, 'buntime_http_request_duration_seconds_count{route="/run",method="GET"}')).toBe(1);
  });

  it("reports plugin status from kernel:plugins in process, with no server listening", async () => {
    const text = await scrape(await start());
    expect(sample(text, "buntime_plugin_status_ok")).toBe(1);
    expect(sample(text, 'buntime_plugin_up{plugin="@buntime/plugin-metrics",version="0.1.0"}')).toBe(1);
    expect(sample(text, 'buntime_plugin_up{plugin="hello",version="1.0.0"}')).toBe(1);
    expect(sample(text, 'buntime_kernel_info{version="0.1.0"}')).toBe(1);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("sends browsers to the UI page and serves it at its base", async () => {
    const kernel = await start();
    const browser = await kernel.fetch("/metrics", {
      headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    });
    expect(browser.status).toBe(302);
    expect(browser.headers.get("location")).toBe("/metrics/");
    const forced = await kernel.fetch("/metrics?format=prometheus", { headers: { accept: "text/html" } });
    expect(await forced.text()).toContain("buntime_http_requests_total");
    const page = await kernel.fetch("/metrics/");
    expect(page.headers.get("content-type")).toStartWith("text/html");
    const html = await page.text();
    expect(html).toContain('<script src="charts.js">');
    expect(html).toContain('<script type="module" src="/shell/frame.js">');
    expect(await (await kernel.fetch("/metrics/charts.js")).text()).toContain("drawLineChart");
    expect((await kernel.fetch("/metrics/nope.js")).status).toBe(404);
  });

  it("gives the UI a JSON snapshot with routes, bounds, pool and plugins", async () => {
    const kernel = await start({ buckets: [0.5, 5] });
    await kernel.fetch("/hello");
    const response = await kernel.fetch("/metrics/api/snapshot");
    expect(response.headers.get("content-type")).toStartWith("application/json");
    const snapshot = (await response.json()) as MetricsSnapshot;
    expect(snapshot.bounds).toEqual([0.5, 5]);
    expect(snapshot.plugins?.map((plugin) => [plugin.name, plugin.status])).toEqual([
      ["@buntime/plugin-metrics", "running"],
      ["hello", "running"],
    ]);
    expect(snapshot.pool.workers).toBe(0);
    const route = snapshot.routes.find((candidate) => candidate.route === "/hello");
    expect(route).toMatchObject({ method: "GET", statuses: { "200": 1 }, count: 1 });
    expect(route?.buckets).toHaveLength(3);
    expect(route?.buckets.reduce((sum, count) => sum + count, 0)).toBe(1);
  });

  it.each([
    [{ buckets: [-1] }, "buckets"],
    [{ maxRoutes: 0 }, "maxRoutes"],
    [{ colour: "red" }, "colour"],
  ])("refuses the settings %p at start, naming %s", async (settings, field) => {
    await expect(start(settings)).rejects.toThrow(field);
  });

  it("escapes label values and help text in the text format", () => {
    const out = new Exposition();
    out.metric("x_total", "counter", "a\\b\nc").sample("x_total", 3, { path: 'say "hi"\\\n' });
    out.sample("x_total", Number.POSITIVE_INFINITY);
    expect(out.toString()).toBe(
      '# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\nx_total{path="say \\"hi\\"\\\\\\n"} 3\nx_total +Inf\n',
    );
  });
});
