import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser } from "playwright-core";
import { noChromium, SHELL_DIR } from "./support.ts";

const AUTH = join(import.meta.dir, "..", "..", "plugins", "auth");

describe.skipIf(noChromium)("the first run, as a page", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    delete process.env.BUNTIME_ADMIN_PASSWORD; // no admin: auth writes a one-time setup token
    kernel = await createTestKernel({ plugins: [AUTH, SHELL_DIR], listen: true });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  it("creates the first admin from the setup token, refusing a wrong one, and opens the shell signed in", async () => {
    const tokenFile = join(kernel.home, "data", "@buntime", "plugin-auth", "setup-token");
    const token = (await Bun.file(tokenFile).text()).trim();
    const page = await browser.newPage();
    await page.goto(new URL("/shell/setup", url).href);
    await page.fill("input[name=token]", "not-the-token");
    await page.fill("input[name=username]", "ada");
    await page.fill("input[name=password]", "a long passphrase");
    await page.click("button[type=submit]");
    await page.locator("#setup-error", { hasText: "wrong setup token" }).waitFor();
    await page.fill("input[name=token]", token);
    await Promise.all([
      page.waitForURL(new URL("/", url).href, { timeout: 20000 }),
      page.click("button[type=submit]"),
    ]);
    await page.locator(".who", { hasText: "Signed in as ada" }).waitFor();
    // the token worked once: the page now reports that an admin exists
    await page.goto(new URL("/shell/setup", url).href);
    await page.fill("input[name=token]", token);
    await page.fill("input[name=username]", "eve");
    await page.fill("input[name=password]", "another passphrase");
    await page.click("button[type=submit]");
    await page.locator("#setup-error", { hasText: "an admin already exists" }).waitFor();
    await page.close();
  }, 60000);

  it("says there is nothing to set up without the auth plugin", async () => {
    const bare = await createTestKernel({ plugins: [SHELL_DIR] });
    try {
      expect(await (await bare.fetch("/shell/setup")).text()).toContain("The auth plugin is not installed");
    } finally {
      await bare.stop();
    }
  });
});
