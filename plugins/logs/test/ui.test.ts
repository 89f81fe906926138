import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { Browser } from "playwright-core";

/** The plugin's own folder: loaded from there, it also serves its `ui` folder. */
const PLUGIN_DIR = join(import.meta.dir, "..");

const talker = {
  packageJson: { name: "talker", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/talk" } },
  plugin: definePlugin({
    setup: (ctx) => ({
      fetch(request) {
        const [, , level, message] = new URL(request.url).pathname.split("/");
        ctx.logger[level as "info" | "warn"](message ?? "");
        return new Response("ok");
      },
    }),
  }),
};

/** Debian's chromium: without it this file is skipped, except under CI, where it must be there. */
const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });

describe.skipIf(noChromium)("the logs page", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    kernel = await createTestKernel({ plugins: [PLUGIN_DIR, talker], listen: true });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  it("shows buffered lines, follows new ones live and filters by level in a real browser", async () => {
    await fetch(new URL("/talk/info/already-there", url));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/logs/", url).href);
    const rows = page.locator("#lines tr");
    await rows.filter({ hasText: "already-there" }).first().waitFor({ timeout: 10000 });
    await page.locator("#status", { hasText: "live" }).waitFor({ timeout: 10000 });

    await fetch(new URL("/talk/warn/arrived-live", url));
    const live = rows.filter({ hasText: "arrived-live" }).filter({ hasText: "plugin:talker" });
    await live.waitFor({ timeout: 10000 });
    expect(await live.getAttribute("class")).toBe("warn");

    await page.selectOption("select[name=level]", "warn");
    await page.click("button[type=submit]");
    await rows.filter({ hasText: "already-there" }).first().waitFor({ state: "detached", timeout: 10000 });
    const levels = await page.locator("#lines td.level").allTextContents();
    expect(levels.length).toBeGreaterThan(0);
    expect(new Set(levels)).toEqual(new Set(["warn"]));
    // alone (no shell here), the search is in the address too, and Back shows the earlier one
    expect(page.url()).toBe(new URL("/logs/?level=warn", url).href);
    await page.goBack();
    await rows.filter({ hasText: "already-there" }).first().waitFor({ timeout: 10000 });
    expect(await page.inputValue("select[name=level]")).toBe("");
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);
});
