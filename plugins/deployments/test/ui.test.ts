/**
 * The deployments page in a real browser: upload a tarball, see the versions, activate and roll
 * back. With DEPLOYMENTS_SCREENSHOTS=docs/images it saves the screenshots docs/apps.md shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { Browser, Page } from "playwright-core";
import { appFolder, tarballOf, tempDir } from "./support.ts";

/** The plugin's own folder: loaded from there, it also serves its `ui` folder. */
const PLUGIN_DIR = join(import.meta.dir, "..");
const SHOTS = process.env.DEPLOYMENTS_SCREENSHOTS;
const shot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `deployments-${name}.png`) });
};

const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });

/** A tarball of app `shop` at `version` on disk, for the file input. */
function tarballFile(version: string, text: string): string {
  const path = join(tempDir(), `shop-${version}.tgz`);
  writeFileSync(path, tarballOf(appFolder("shop", version, text)));
  return path;
}

async function deploy(page: Page, file: string): Promise<void> {
  await page.setInputFiles("input[name=tarball]", file);
  await page.click("button[type=submit]");
  await page.locator("#status", { hasText: "deployed" }).waitFor({ timeout: 10000 });
}

describe.skipIf(noChromium)("the deployments page", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    kernel = await createTestKernel({
      plugins: [{ packageJson: routerPackage, plugin: router }, PLUGIN_DIR],
      listen: true,
    });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  it("uploads versions, shows who deployed them, activates and rolls back", async () => {
    const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
    const page = await browser.newPage({ viewport: { width: 900, height: 520 } });
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${token}` });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/deployments/", url).href);
    await page.locator("#apps", { hasText: "No apps deployed yet." }).waitFor({ timeout: 10000 });

    await deploy(page, tarballFile("1.0.0", "one"));
    await deploy(page, tarballFile("2.0.0", "two"));
    const shop = page.locator("section[data-app=shop]");
    await shop.locator("h2", { hasText: "active 2.0.0" }).waitFor({ timeout: 10000 });
    expect(await shop.locator("tr[data-version='1.0.0'] td").nth(1).textContent()).toBe("admin-token");
    await shot(page, "versions");

    await shop.getByRole("button", { name: "Roll back" }).click();
    await shop.locator("h2", { hasText: "active 1.0.0" }).waitFor({ timeout: 10000 });
    expect(await (await fetch(new URL("/shop/", url))).text()).toBe("one");

    await shop.locator("tr[data-version='2.0.0']").getByRole("button", { name: "Activate" }).click();
    await shop.locator("h2", { hasText: "active 2.0.0" }).waitFor({ timeout: 10000 });
    await shot(page, "activated");
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);

  it("shows an anonymous visitor that deployments are for admins, and nothing else", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/deployments/", url).href);
    await page.locator("#status.error", { hasText: "admins only" }).waitFor({ timeout: 10000 });
    expect(await page.locator("section").count()).toBe(0);
    await page.close();
  }, 30000);
});
