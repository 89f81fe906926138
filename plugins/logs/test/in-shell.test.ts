/**
 * The logs page inside the shell, in a real browser: it loads the frame protocol, so it follows
 * the shell's theme, and each search is one history entry in the shell (none in the frame):
 * Back shows the earlier search, and the filters are in the shell's address.
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

describe.skipIf(noChromium)("the logs page in the shell", () => {
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

  const logsFrame = (page: Page) =>
    page.frames().find((frame) => frame !== page.mainFrame() && frame.url().includes("/logs/")) as Frame;

  async function openInShell(path: string) {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL(path, url).href);
    // ready: the page answered the shell's INIT, so it runs the protocol
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
      undefined,
      { timeout: 10000 },
    );
    return { page, errors };
  }

  it("records each search once, in the shell, and Back shows the earlier one", async () => {
    const { page, errors } = await openInShell("/logs/");
    const start = await page.evaluate(() => history.length);
    await logsFrame(page).selectOption("select[name=level]", "warn");
    await logsFrame(page).click("button[type=submit]");
    await page.waitForURL(new URL("/logs/?level=warn", url).href);
    await logsFrame(page).fill("input[name=q]", "nothing-like-this");
    await logsFrame(page).click("button[type=submit]");
    await page.waitForURL(new URL("/logs/?level=warn&q=nothing-like-this", url).href);
    await logsFrame(page).locator("#status", { hasText: "0 lines" }).waitFor();
    expect(await page.evaluate(() => history.length)).toBe(start + 2);

    await page.goBack();
    await page.waitForURL(new URL("/logs/?level=warn", url).href);
    await logsFrame(page).waitForFunction(
      () => (document.querySelector("input[name=q]") as HTMLInputElement).value === "",
    );
    expect(await logsFrame(page).inputValue("select[name=level]")).toBe("warn");
    await page.goBack();
    await page.waitForURL(new URL("/logs/", url).href);
    await logsFrame(page).waitForFunction(
      () => (document.querySelector("select[name=level]") as HTMLSelectElement).value === "",
    );
    // Live off: the address says so, in place of the current entry
    const before = await page.evaluate(() => history.length);
    await logsFrame(page).uncheck("input[name=live]");
    await page.waitForURL(new URL("/logs/?live=0", url).href);
    expect(await page.evaluate(() => history.length)).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);

  it("opens a search from a deep link, and follows the shell's theme", async () => {
    const { page, errors } = await openInShell("/logs/?level=error");
    const frame = logsFrame(page);
    expect(await frame.inputValue("select[name=level]")).toBe("error");
    const background = () => frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.selectOption("#theme-choice", "dark");
    await frame.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    expect(await background()).toBe("rgb(21, 22, 26)"); // --bt-bg, dark
    await page.selectOption("#theme-choice", "light");
    await frame.waitForFunction(() => document.documentElement.dataset.theme === "light");
    expect(await background()).toBe("rgb(247, 247, 248)"); // --bt-bg, light
    await page.selectOption("#theme-choice", "system");
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);
});
