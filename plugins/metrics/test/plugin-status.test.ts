import { afterEach, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin, type Kernel } from "@buntime/kernel";
import metrics, { type MetricsSnapshot } from "@buntime/plugin-metrics";
import { definePlugin } from "@buntime/sdk";
import metricsPackage from "../package.json" with { type: "json" };
import { withoutNode } from "./fixtures/without-node.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const broken: InlinePlugin = {
  packageJson: { name: "broken", version: "2.0.0", buntime: { kernel: "^0.1.0" } },
  plugin: definePlugin({
    setup() {
      throw new Error("no database");
    },
  }),
};

const quiet: InlinePlugin = {
  packageJson: { name: "quiet", version: "1.0.0", buntime: { kernel: "^0.1.0" } },
  plugin: definePlugin({ setup() {} }),
};

/** A started kernel that does not listen: plugin status needs no server. */
async function started(settings: Record<string, unknown> = {}): Promise<Kernel> {
  const home = mkdtempSync(join(tmpdir(), "buntime-metrics-status-"));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const kernel = createKernel({
    config: { home, plugins: { "@buntime/plugin-metrics": settings } },
    plugins: [{ packageJson: metricsPackage, plugin: metrics }, broken, quiet],
    logSink: () => {},
  });
  cleanups.push(() => kernel.stop());
  await kernel.start();
  return kernel;
}

async function scrape(kernel: Kernel): Promise<string> {
  const response = await kernel.fetch(new Request("http://localhost/metrics"));
  expect(response.status).toBe(200);
  return withoutNode(await response.text());
}

it("reports each plugin as up or failed without the kernel listening", async () => {
  const kernel = await started();
  const text = await scrape(kernel);
  expect(text).toContain("buntime_plugin_status_ok 1\n");
  expect(text).toContain('buntime_plugin_up{plugin="@buntime/plugin-metrics",version="0.1.0"} 1\n');
  expect(text).toContain('buntime_plugin_up{plugin="quiet",version="1.0.0"} 1\n');
  expect(text).toContain('buntime_plugin_up{plugin="broken",version="2.0.0"} 0\n');
  const response = await kernel.fetch(new Request("http://localhost/metrics/api/snapshot"));
  const snapshot = (await response.json()) as MetricsSnapshot;
  expect(snapshot.plugins?.map((plugin) => [plugin.name, plugin.status])).toEqual([
    ["@buntime/plugin-metrics", "running"],
    ["quiet", "running"],
    ["broken", "failed"],
  ]);
  expect(snapshot.plugins?.find((plugin) => plugin.name === "broken")?.error).toContain("no database");
});

it("lists the plugins running at each scrape, not those at its start", async () => {
  const kernel = await started();
  await kernel.unload("quiet");
  const text = await scrape(kernel);
  expect(text).not.toContain('plugin="quiet"');
  expect(text).toContain('buntime_plugin_up{plugin="@buntime/plugin-metrics",version="0.1.0"} 1\n');
});

it("leaves plugin status out when pluginStatus is off", async () => {
  const kernel = await started({ pluginStatus: false });
  const text = await scrape(kernel);
  expect(text).toContain("buntime_plugin_status_ok 0\n");
  expect(text).not.toContain("buntime_plugin_up");
  const response = await kernel.fetch(new Request("http://localhost/metrics/api/snapshot"));
  expect(((await response.json()) as MetricsSnapshot).plugins).toBeNull();
});
