import { afterEach, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "@buntime/kernel";
import metrics, { type MetricsSnapshot } from "@buntime/plugin-metrics";
import { definePlugin } from "@buntime/sdk";
import metricsPackage from "../package.json" with { type: "json" };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const broken = {
  packageJson: { name: "broken", version: "2.0.0", buntime: { kernel: "^0.1.0" } },
  plugin: definePlugin({
    onInit() {
      throw new Error("no database");
    },
  }),
};

async function listening(settings: Record<string, unknown> = {}): Promise<URL> {
  const home = mkdtempSync(join(tmpdir(), "buntime-metrics-status-"));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const kernel = createKernel({
    config: { home, port: 0, hostname: "127.0.0.1", plugins: { "@buntime/plugin-metrics": settings } },
    plugins: [{ packageJson: metricsPackage, plugin: metrics }, broken],
    logSink: () => {},
  });
  cleanups.push(() => kernel.stop());
  await kernel.start();
  return kernel.listen();
}

it("reports each plugin as up or failed once the kernel listens", async () => {
  const url = await listening();
  const response = await fetch(new URL("/metrics", url));
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).toContain("buntime_plugin_status_ok 1\n");
  expect(text).toContain('buntime_plugin_up{plugin="@buntime/plugin-metrics",version="0.1.0"} 1\n');
  expect(text).toContain('buntime_plugin_up{plugin="broken",version="2.0.0"} 0\n');
  const snapshot = (await (await fetch(new URL("/metrics/api/snapshot", url))).json()) as MetricsSnapshot;
  expect(snapshot.plugins?.map((plugin) => [plugin.name, plugin.status])).toEqual([
    ["@buntime/plugin-metrics", "running"],
    ["broken", "failed"],
  ]);
});

it("leaves plugin status out when pluginStatus is off", async () => {
  const url = await listening({ pluginStatus: false });
  const text = await (await fetch(new URL("/metrics", url))).text();
  expect(text).toContain("buntime_plugin_status_ok 0\n");
  expect(text).not.toContain("buntime_plugin_up");
});
