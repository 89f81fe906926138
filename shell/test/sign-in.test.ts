import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser } from "playwright-core";
import { noChromium, SHELL_DIR } from "./support.ts";

const PLUGINS = join(import.meta.dir, "..", "..", "plugins");
const DEMO = join(import.meta.dir, "fixtures", "demo-ui");
const PASSWORD = "correct horse battery";

describe.skipIf(noChromium)("the shell with the auth plugin", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    process.env.BUNTIME_ADMIN_PASSWORD = PASSWORD;
    kernel = await createTestKernel({ plugins: [join(PLUGINS, "auth"), SHELL_DIR, DEMO], listen: true });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    delete process.env.BUNTIME_ADMIN_PASSWORD;
    await browser?.close();
    await kernel?.stop();
  });

  it("refuses the shell's API and page to an anonymous caller", async () => {
    const api = await fetch(new URL("/shell/api/catalog", url));
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({
      error: { code: "BUNTIME_ERR_AUTH_REQUIRED" },
      signIn: "/auth/login",
    });
    const page = await fetch(new URL("/", url), { redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/auth/login?next=%2F");
  });

  it("sends a browser to sign in and back to the page it asked for, inside the shell", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/demo/b", url).href);
    await page.waitForURL(/\/auth\/login\?next=/);
    await page.fill("input[name=username]", "admin");
    await page.fill("input[name=password]", PASSWORD);
    await Promise.all([page.waitForURL(/\/demo\/b$/, { timeout: 20000 }), page.click("button[type=submit]")]);
    await page.locator(".who", { hasText: "Signed in as admin" }).waitFor();
    const demo = page.frames().find((frame) => frame !== page.mainFrame() && frame.url().includes("/demo/"));
    await demo?.locator("#path", { hasText: "/b" }).waitFor();
    await page.click(".brand");
    await page.locator("h1", { hasText: "What runs here" }).waitFor();
    expect(await page.locator("#loopback-notice").count()).toBe(0);
    await page.close();
  }, 40000);
});
