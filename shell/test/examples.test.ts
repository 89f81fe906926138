import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser, Frame, Page } from "playwright-core";
import { buildCounter } from "../examples/counter-jsx/build.ts";
import { noChromium, SHELL_DIR } from "./support.ts";

const EXAMPLES = join(import.meta.dir, "..", "examples");
const ROUTER = join(import.meta.dir, "..", "..", "plugins", "router");

describe.skipIf(noChromium)("two example apps in different stacks, inside the shell", () => {
  let home: string;
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "buntime-shell-examples-"));
    mkdirSync(join(home, "apps"));
    cpSync(join(EXAMPLES, "notes-plain"), join(home, "apps", "notes-plain"), { recursive: true });
    cpSync(join(EXAMPLES, "counter-jsx", "public"), join(home, "apps", "counter-jsx", "public"), {
      recursive: true,
    });
    await buildCounter(join(home, "apps", "counter-jsx", "public"));
    kernel = await createTestKernel({ plugins: [ROUTER, SHELL_DIR], config: { home }, listen: true });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  function appFrame(page: Page, name: string): Frame {
    return page
      .frames()
      .find((frame) => frame !== page.mainFrame() && frame.url().includes(`/${name}/`)) as Frame;
  }

  it("lists both apps in the menu and on the home page", async () => {
    const body = await (await fetch(new URL("/", url))).text();
    expect(body).toContain('<a href="/notes-plain/" data-shell-link data-kind="app">notes-plain</a>');
    expect(body).toContain('<a href="/counter-jsx/" data-shell-link data-kind="app">counter-jsx</a>');
  });

  it("runs the plain HTML app: navigation through the shell, a confirm drawn by the shell, a call from the host", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/", url).href);
    await page.click("#menu a:text('notes-plain')");
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
    );
    const app = appFrame(page, "notes-plain");
    await app.click("a[data-to='/about']");
    await page.waitForURL(/\/notes-plain\/about$/);
    await app.locator("h1", { hasText: "About" }).waitFor();
    await page.goBack();
    await app.locator("h1", { hasText: "Notes (2)" }).waitFor();
    expect(
      await page.evaluate(() =>
        (document.querySelector("z-frame") as unknown as { count(): Promise<number> }).count(),
      ),
    ).toBe(2);
    await app.click("#clear");
    await page.locator("dialog.confirm", { hasText: "Clear 2 notes?" }).waitFor();
    await page.click("dialog.confirm button[value=ok]");
    await app.locator("h1", { hasText: "Notes (0)" }).waitFor();
    await page.close();
  }, 30000);

  it("runs the component app built with Bun.build: routes in the path, Back restores them, reset asks the shell", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/counter-jsx/", url).href);
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
    );
    const app = appFrame(page, "counter-jsx");
    await app.click("button.step:text('5')");
    await page.waitForURL(/\/counter-jsx\/step\/5$/);
    await app.click("#add");
    await app.locator("#count", { hasText: "5" }).waitFor();
    await app.click("button.step:text('10')");
    await page.waitForURL(/\/counter-jsx\/step\/10$/);
    await page.goBack();
    await app.locator("#add", { hasText: "Add 5" }).waitFor();
    await app.click("#reset");
    await page.click("dialog.confirm button[value=cancel]");
    await app.locator("#count", { hasText: "5" }).waitFor();
    await page.close();
  }, 30000);

  it("opens the component app at a deep link", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/counter-jsx/step/10", url).href);
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
    );
    await appFrame(page, "counter-jsx").locator("#add", { hasText: "Add 10" }).waitFor();
    await page.close();
  }, 30000);

  it("still works standalone, outside the shell", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/counter-jsx/?standalone", url).href);
    await page.locator("#add").click();
    await page.locator("#count", { hasText: "1" }).waitFor();
    expect(await page.evaluate(() => document.querySelector("z-frame"))).toBeNull();
    await page.close();
  }, 30000);
});
