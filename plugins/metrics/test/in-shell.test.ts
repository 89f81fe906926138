/**
 * The metrics page inside the shell, in a real browser: it answers the shell's INIT (frame
 * protocol loaded), follows the shell's theme, and its Prometheus link opens a tab of its own
 * instead of adding an entry to the shell's history.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { Browser, Frame, Page } from "playwright-core";

const PLUGIN_DIR = join(import.meta.dir, "..");
/** The shell, loaded from its folder as `npm start` would run it. */
const SHELL_DIR = join(import.meta.dir, "..", "..", "..", "shell");
const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });

describe.skipIf(noChromium)("the metrics page in the shell", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    kernel = await createTestKernel({ plugins: [SHELL_DIR, PLUGIN_DIR], listen: true });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  const metricsFrame = (page: Page) =>
    page.frames().find((frame) => frame !== page.mainFrame() && frame.url().includes("/metrics/")) as Frame;

  it("answers the shell, follows its theme, and opens Prometheus text without a history entry", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/metrics/?every=250", url).href);
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
      undefined,
      { timeout: 10000 },
    );
    const frame = metricsFrame(page);
    await frame.locator("#status", { hasText: "kernel" }).waitFor({ timeout: 10000 });

    const background = () => frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.selectOption("#theme-choice", "dark");
    await frame.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    expect(await background()).toBe("rgb(21, 22, 26)"); // --bt-bg, dark
    const grid = await frame.evaluate(() => {
      const line = document.querySelector(".chart .grid");
      return line ? getComputedStyle(line).stroke : "rgb(51, 54, 63)";
    });
    expect(grid).toBe("rgb(51, 54, 63)"); // --bt-border, dark
    await page.selectOption("#theme-choice", "light");
    await frame.waitForFunction(() => document.documentElement.dataset.theme === "light");
    expect(await background()).toBe("rgb(247, 247, 248)"); // --bt-bg, light

    const entries = await page.evaluate(() => history.length);
    const [tab] = await Promise.all([page.waitForEvent("popup"), frame.click("a:text('Prometheus text')")]);
    await tab.waitForLoadState();
    // ?standalone: the text itself, not the shell around it (a browser navigating gets the shell)
    expect(tab.url()).toBe(new URL("/metrics?format=prometheus&standalone", url).href);
    expect(await tab.textContent("body")).toContain("buntime_http_requests_total");
    await tab.close();
    expect(await page.evaluate(() => history.length)).toBe(entries);
    expect(page.url()).toBe(new URL("/metrics/?every=250", url).href);
    await page.selectOption("#theme-choice", "system");
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);
});
