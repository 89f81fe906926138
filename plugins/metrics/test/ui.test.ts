import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { Browser } from "playwright-core";

/** The plugin's own folder: loaded from there, it also serves its `ui` folder. */
const PLUGIN_DIR = join(import.meta.dir, "..");

const hello = {
  packageJson: { name: "hello", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/hello" } },
  plugin: definePlugin({ setup: () => ({ fetch: () => new Response("hi") }) }),
};

/** Runs one app in the pool at /run, so the apps table has a row. */
const runner = {
  packageJson: { name: "runner", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/run" } },
  plugin: definePlugin({
    setup: (ctx) => ({
      fetch: (request) =>
        ctx.pool.fetch(
          { name: "pooled", version: "1.0.0", entry: join(import.meta.dir, "fixtures", "pooled.ts") },
          request,
        ),
    }),
  }),
};

/** Debian's chromium: without it this file is skipped, except under CI, where it must be there. */
const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });

describe.skipIf(noChromium)("the metrics page", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    kernel = await createTestKernel({ plugins: [PLUGIN_DIR, hello, runner], listen: true });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  it("draws the charts and fills the tables in a real browser", async () => {
    for (let index = 0; index < 5; index++) await fetch(new URL("/hello", url));
    expect(await (await fetch(new URL("/run", url))).text()).toBe("pooled");
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/metrics/?every=250", url).href);

    const helloRow = page.locator("#routes tbody tr", { hasText: "/hello" });
    await helloRow.waitFor({ timeout: 10000 });
    expect((await helloRow.locator("td").allTextContents()).slice(0, 3)).toEqual(["/hello", "GET", "5"]);
    // A line appears once two polls give a rate; the pool chart draws both of its lines.
    await page.locator("#chart-rate path.line").waitFor({ timeout: 10000 });
    await page.waitForFunction(
      () => document.querySelectorAll("#chart-pool path.line").length === 2,
      undefined,
      {
        timeout: 10000,
      },
    );
    expect(await page.locator("#chart-rate path.line").getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+L/);
    const pooled = page.locator("#apps tbody tr", { hasText: "pooled@1.0.0" });
    expect((await pooled.locator("td").allTextContents()).slice(0, 4)).toEqual([
      "pooled@1.0.0",
      "persistent",
      "thread",
      "1",
    ]);
    const plugins = await page.locator("#plugins tbody td").allTextContents();
    expect(plugins).toContain("@buntime/plugin-metrics");
    expect(plugins).toContain("running");
    expect(await page.locator("#status").textContent()).toContain("kernel 0.1.0");
    // a single kernel: its nodes table (one row, itself) stays hidden
    await page.locator("#nodes tbody tr").first().waitFor({ state: "attached", timeout: 10000 });
    expect(await page.locator("#cluster").isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);

  it("sends a browser that opens /metrics to the page", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/metrics", url).href);
    expect(new URL(page.url()).pathname).toBe("/metrics/");
    expect(await page.title()).toBe("Metrics · Buntime");
    await page.close();
  });
});
