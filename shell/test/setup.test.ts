/**
 * The shell's old first-run address, `/shell/setup`: with the auth plugin it forwards to auth's
 * first-admin page keeping a same-origin `next` (and never another site's); a browser that follows
 * it creates the first admin there and lands where it was going, signed in. Without auth it says
 * there is no one to set up.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser } from "playwright-core";
import { noChromium, SHELL_DIR } from "./support.ts";

const AUTH = join(import.meta.dir, "..", "..", "plugins", "auth");

describe("the old first-run address, /shell/setup", () => {
  let kernel: TestKernel;

  beforeAll(async () => {
    delete process.env.BUNTIME_ADMIN_PASSWORD; // no admin: auth writes a one-time setup token
    kernel = await createTestKernel({ plugins: [AUTH, SHELL_DIR] });
  });

  afterAll(async () => {
    await kernel?.stop();
  });

  const forward = async (query: string, method = "GET") => {
    const response = await kernel.fetch(`/shell/setup${query}`, { method, redirect: "manual" });
    expect(response.status).toBe(302);
    return response.headers.get("location");
  };

  it("forwards to the auth plugin's first-admin page, keeping where the visit was going", async () => {
    expect(await forward("")).toBe("/auth/setup");
    expect(await forward(`?next=${encodeURIComponent("/logs/?level=warn#end")}`)).toBe(
      `/auth/setup?next=${encodeURIComponent("/logs/?level=warn#end")}`,
    );
    expect(await forward("?next=/a/../b")).toBe(`/auth/setup?next=${encodeURIComponent("/b")}`);
    expect(await forward("?next=/logs/", "HEAD")).toBe(`/auth/setup?next=${encodeURIComponent("/logs/")}`);
  });

  it("drops a next that names another site", async () => {
    for (const next of [
      "//evil.example/",
      "https://evil.example/",
      "/\\evil.example",
      "/\t/evil.example",
      "/.//evil.example",
      "javascript:alert(1)",
      "logs/",
    ])
      expect(await forward(`?next=${encodeURIComponent(next)}`)).toBe("/auth/setup");
  });

  it("says there is nothing to set up without the auth plugin", async () => {
    const bare = await createTestKernel({ plugins: [SHELL_DIR] });
    try {
      const page = await bare.fetch("/shell/setup", { redirect: "manual" });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("The auth plugin is not installed");
    } finally {
      await bare.stop();
    }
  });
});

describe.skipIf(noChromium)("the old first-run address in a browser", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    delete process.env.BUNTIME_ADMIN_PASSWORD;
    kernel = await createTestKernel({ plugins: [AUTH, SHELL_DIR], listen: true });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  it("leads to the first-admin page, which creates the admin and opens the shell signed in", async () => {
    const tokenFile = join(kernel.home, "data", "@buntime", "plugin-auth", "setup-token");
    const token = (await Bun.file(tokenFile).text()).trim();
    const page = await browser.newPage();
    await page.goto(new URL("/shell/setup?next=/shell/cluster", url).href);
    expect(new URL(page.url()).pathname).toBe("/auth/setup");
    await page.fill("input[name=token]", token);
    await page.fill("input[name=username]", "ada");
    for (const input of await page.locator("input[type=password]").all())
      await input.fill("a long passphrase");
    await Promise.all([
      page.waitForURL(new URL("/shell/cluster", url).href, { timeout: 20000 }),
      page.click("button[type=submit]"),
    ]);
    await page.locator(".who", { hasText: "Signed in as ada" }).waitFor();
    await page.close();
  }, 60000);
});
