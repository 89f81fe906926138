/**
 * Pages link to sign-in where the 401 says (`signIn`), not at a fixed `/auth/login`: with auth
 * mounted at `/id`, the logs and metrics pages, signed out, link to `/id/login` and back.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import auth from "@buntime/plugin-auth";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { Browser } from "playwright-core";
import authPackage from "../package.json" with { type: "json" };
import { ADMIN_PASSWORD, pluginFolder } from "./support.ts";

const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });

describe.skipIf(noChromium)("the Sign in link of a signed-out page, with auth at /id", () => {
  let kernel: TestKernel;
  let browser: Browser;

  beforeAll(async () => {
    process.env.BUNTIME_ADMIN_PASSWORD = ADMIN_PASSWORD;
    const movedAuth = { ...authPackage, buntime: { ...authPackage.buntime, base: "/id" } };
    kernel = await createTestKernel({
      plugins: [{ packageJson: movedAuth, plugin: auth }, pluginFolder("logs"), pluginFolder("metrics")],
      listen: true,
    });
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    delete process.env.BUNTIME_ADMIN_PASSWORD;
    await browser?.close();
    await kernel?.stop();
  });

  it("goes where the 401's signIn says, with next back to the page", async () => {
    const api = await kernel.fetch("/logs/api/logs");
    expect(((await api.json()) as { signIn: string }).signIn).toBe("/id/login");
    const page = await browser.newPage();
    for (const path of ["/logs/", "/metrics/"]) {
      await page.goto(new URL(path, kernel.url).href);
      const link = page.locator("#status a", { hasText: "Sign in" });
      await link.waitFor({ timeout: 10_000 });
      expect(await link.getAttribute("href")).toBe(`/id/login?next=${encodeURIComponent(path)}`);
    }
    await page.close();
  }, 30_000);
});
