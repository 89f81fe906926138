/**
 * The deployments page in a real browser: upload a tarball, see the versions, activate and roll
 * back; signed out where the auth plugin runs, a Sign in link and the shell's `sign-in` event
 * instead of an error. With DEPLOYMENTS_SCREENSHOTS=docs/images it saves the screenshots
 * docs/apps.md shows.
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
/** The auth plugin, by folder (an optional dependency, not a package this one imports). */
const AUTH_DIR = join(import.meta.dir, "..", "..", "auth");
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

describe.skipIf(noChromium)("the deployments page, signed out where the auth plugin runs", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    process.env.BUNTIME_ADMIN_PASSWORD = "a long admin passphrase"; // no setup token printed
    kernel = await createTestKernel({
      plugins: [{ packageJson: routerPackage, plugin: router }, AUTH_DIR, PLUGIN_DIR],
      listen: true,
    });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    delete process.env.BUNTIME_ADMIN_PASSWORD;
    await browser?.close();
    await kernel?.stop();
  });

  it("answers a signed-out caller with a coded 401, a signed-in non-admin with 403, an admin with the apps", async () => {
    const at = (path: string) => new URL(path, url);
    const signedOut = await fetch(at("/deployments/api/apps"));
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toMatchObject({
      error: {
        code: "BUNTIME_ERR_AUTH_REQUIRED",
        message: "/deployments/api/apps needs a signed-in user or a token",
      },
      signIn: "/auth/login",
    });
    const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
    const asAdmin = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    expect((await fetch(at("/deployments/api/apps"), { headers: asAdmin })).status).toBe(200);
    const user = { username: "bob", password: "bob's long passphrase" };
    const created = await fetch(at("/auth/api/users"), {
      method: "POST",
      headers: asAdmin,
      body: JSON.stringify(user),
    });
    expect(created.status).toBe(201);
    const login = await fetch(at("/auth/login"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(user),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const notAdmin = await fetch(at("/deployments/api/apps"), { headers: { cookie } });
    expect(notAdmin.status).toBe(403);
    expect(await notAdmin.json()).toMatchObject({ error: { code: "BUNTIME_ERR_DEPLOY_FORBIDDEN" } });
  }, 30000);

  it("shows a Sign in link back to the page and asks the shell to sign in, never the error", async () => {
    const page = await browser.newPage();
    // stands in for the shell's frameSDK (no shell runs here): records the events the page sends
    await page.addInitScript(() => {
      const sent: string[] = [];
      Object.assign(window, { sent, frameSDK: { emit: (name: string) => sent.push(name) } });
    });
    await page.goto(new URL("/deployments/?standalone", url).href);
    const link = page.locator("#status a", { hasText: "Sign in" });
    await link.waitFor({ timeout: 10000 });
    expect(await link.getAttribute("href")).toBe(
      `/auth/login?next=${encodeURIComponent("/deployments/?standalone")}`,
    );
    expect(await link.getAttribute("target")).toBe("_top");
    expect(await page.locator("#status").textContent()).toBe(
      "Sign in to manage deployments (they need an admin).",
    );
    expect(await page.evaluate(() => (window as unknown as { sent: string[] }).sent)).toEqual(["sign-in"]);
    expect(await page.locator("section").count()).toBe(0);
    await page.close();
  }, 30000);
});
