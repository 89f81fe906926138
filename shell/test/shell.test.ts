import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { cpSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel, TestPlugin } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser, Frame, Page } from "playwright-core";
import { noChromium, startShellKernel } from "./support.ts";

const DEMO = join(import.meta.dir, "fixtures", "demo-ui");

/** A UI plugin whose page always answers `status`, to see the shell's tile for it. */
function refusing(name: string, status: number): TestPlugin {
  return {
    packageJson: {
      name,
      version: "1.0.0",
      buntime: { kernel: "^0.1.0", base: `/${name}`, ui: { menu: [{ label: name, path: `/${name}/` }] } },
    },
    plugin: definePlugin({ setup: () => ({ fetch: () => new Response("no", { status }) }) }),
  };
}
const LOGS = join(import.meta.dir, "..", "..", "plugins", "logs");
const METRICS = join(import.meta.dir, "..", "..", "plugins", "metrics");

describe.skipIf(noChromium)("the shell in a real browser", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    kernel = await startShellKernel([DEMO, LOGS, METRICS, refusing("denied", 403), refusing("locked", 401)]);
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL(path, url).href);
    return { page, errors };
  }

  function demoFrame(page: Page): Frame {
    return page
      .frames()
      .find((frame) => frame !== page.mainFrame() && frame.url().includes("/demo/")) as Frame;
  }

  it("answers / with the home and the menu in the HTML itself (first paint without JavaScript)", async () => {
    const response = await fetch(new URL("/", url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const body = await response.text();
    expect(body).toContain('<a href="/demo/" data-shell-link data-kind="plugin">Demo</a>');
    expect(body).toContain('<a href="/logs/" data-shell-link data-kind="plugin">Logs</a>');
    expect(body).toContain("What runs here");
    expect(body).toContain("loopback only");
    // a script, not a browser navigating, still gets the page itself at a UI's address
    expect(await (await fetch(new URL("/demo/", url))).text()).toContain("<title>Demo</title>");
  });

  it("opens a UI from the menu, and N in-frame navigations take N presses of Back", async () => {
    const { page, errors } = await open("/");
    const start = await page.evaluate(() => history.length);
    await page.click("#menu a:text('Demo')");
    await page.waitForURL(/\/demo\/$/);
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
    );
    for (const to of ["a", "b", "c"]) {
      await demoFrame(page).click(`a[data-to='/${to}']`);
      await page.waitForURL(new RegExp(`/demo/${to}$`));
      await demoFrame(page)
        .locator("#path", { hasText: `/${to}` })
        .waitFor();
    }
    expect(await page.evaluate(() => history.length)).toBe(start + 4);
    for (const back of ["b", "a", ""]) {
      await page.goBack();
      await page.waitForURL(new RegExp(`/demo/${back}$`));
      await demoFrame(page)
        .locator("#path", { hasText: `/${back}` })
        .waitFor();
    }
    await page.goBack();
    await page.waitForURL(new URL("/", url).href);
    await page.locator("h1", { hasText: "What runs here" }).waitFor();
    await page.locator("#frame-timings", { hasText: "Frames answered the shell in" }).waitFor(); // the shell reported
    await page.goForward();
    await page.waitForURL(/\/demo\/$/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60000);

  it("keeps history single for a page of plain links that reloads the frame on each", async () => {
    const { page, errors } = await open("/demo/links.html");
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
    );
    const start = await page.evaluate(() => history.length);
    for (const n of ["1", "2", "3"]) {
      await demoFrame(page).click(`a:text('${["one", "two", "three"][Number(n) - 1]}')`);
      await page.waitForURL(new RegExp(`/demo/links\\.html\\?p=${n}$`));
      await demoFrame(page).locator("#page", { hasText: n }).waitFor();
    }
    expect(await page.evaluate(() => history.length)).toBe(start + 3);
    for (const n of ["2", "1", "0"]) {
      await page.goBack();
      await demoFrame(page).locator("#page", { hasText: n }).waitFor();
    }
    expect(page.url()).toBe(new URL("/demo/links.html", url).href);
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);

  it("opens a deep link inside the shell, and passes theme, density and locale to the frame", async () => {
    const { page } = await open("/demo/b");
    await page.locator("#menu a[aria-current='page']", { hasText: "Demo" }).waitFor();
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
    );
    const frame = demoFrame(page);
    expect(await frame.locator("#path").textContent()).toBe("/b");
    await page.selectOption("#theme-choice", "dark");
    await frame.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    const bg = await frame.evaluate(() => document.documentElement.style.getPropertyValue("--bt-bg"));
    expect(bg).toBe("#15161a");
    await page.selectOption("#theme-choice", "light");
    await frame.waitForFunction(() => document.documentElement.dataset.theme === "light");
    await page.selectOption("#density-choice", "compact");
    await frame.waitForFunction(() => document.documentElement.dataset.density === "compact");
    expect(await frame.evaluate(() => document.documentElement.style.getPropertyValue("--bt-space"))).toBe(
      "6px",
    );
    const language = await page.evaluate(() => navigator.language);
    expect(await frame.evaluate(() => document.documentElement.lang)).toBe(language);
    // a frame's toast is drawn by the shell, above the frame
    await frame.click("#hello");
    await page.locator("#overlays .toast.success", { hasText: "Hello from the demo" }).waitFor();
    await page.close();
  }, 30000);

  it("follows the system's light or dark until the user picks, and a frame follows the shell", async () => {
    const page = await browser.newPage({ colorScheme: "dark" });
    await page.goto(new URL("/demo/", url).href);
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
    );
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await demoFrame(page).waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.emulateMedia({ colorScheme: "light" }); // the system changes: the shell and the frame follow
    await demoFrame(page).waitForFunction(() => document.documentElement.dataset.theme === "light");
    await page.selectOption("#theme-choice", "dark"); // the user picks: the system no longer decides
    await page.emulateMedia({ colorScheme: "light" });
    await demoFrame(page).waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.reload(); // the choice is kept, and painted before any script runs
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.selectOption("#theme-choice", "system");
    await page.close();
  }, 30000);

  it("runs the logs and metrics UIs in frames without a watchdog tile", async () => {
    const { page, errors } = await open("/logs/");
    const logs = page
      .frames()
      .find((frame) => frame !== page.mainFrame() && frame.url().includes("/logs/")) as Frame;
    await logs.locator("h1", { hasText: "Logs" }).waitFor();
    await Bun.sleep(3500); // past the shell's INIT timeout
    expect(await page.locator(".tile").count()).toBe(0);
    await page.click("#menu a:text('Metrics')");
    await page.waitForURL(/\/metrics\/$/);
    await page.frameLocator("z-frame iframe").locator("h1", { hasText: "Metrics" }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);

  it("puts a 'reload this app' tile over a frame that never answers INIT", async () => {
    const { page } = await open("/demo/hang.html");
    await page.locator(".tile", { hasText: "Demo is not responding" }).waitFor({ timeout: 10000 });
    expect(await page.locator(".tile button").textContent()).toBe("Reload this app");
    await page.close();
  }, 30000);

  it("shows a tile for a page that is not there, instead of framing a 404", async () => {
    const { page } = await open("/");
    await page.evaluate(() => {
      history.pushState(null, "", "/demo/missing-page.html");
      dispatchEvent(new PopStateEvent("popstate"));
    });
    await page.locator(".tile", { hasText: "Not found" }).waitFor({ timeout: 10000 });
    await page.close();
  }, 30000);

  it("shows a tile instead of framing a refusal: 403 is access denied, 401 asks to sign in and come back", async () => {
    const { page } = await open("/");
    await page.click("#menu a:text('denied')");
    await page.locator(".tile", { hasText: "Access denied" }).waitFor({ timeout: 10000 });
    expect(await page.locator("z-frame").count()).toBe(0);
    await page.click("#menu a:text('locked')");
    const signIn = page.locator(".tile a", { hasText: "Sign in" });
    await signIn.waitFor({ timeout: 10000 });
    expect(await signIn.getAttribute("href")).toBe("/auth/login?next=%2Flocked%2F");
    await page.close();
  }, 30000);

  it("adds a plugin's menu entry when it loads and removes it when it unloads, without a reload", async () => {
    const { page } = await open("/");
    await page.locator("#menu a", { hasText: "Demo" }).waitFor();
    const token = (await Bun.file(join(kernel.home, "admin-token")).text()).trim();
    cpSync(DEMO, join(kernel.home, "plugins", "late-ui", "1.0.0"), { recursive: true });
    const manifest = join(kernel.home, "plugins", "late-ui", "1.0.0", "package.json");
    const pkg = await Bun.file(manifest).json();
    pkg.name = "late-ui";
    pkg.buntime.base = "/late";
    pkg.buntime.ui.menu = [{ label: "Late", path: "/late/" }];
    await Bun.write(manifest, JSON.stringify(pkg));
    const headers = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      origin: url.origin,
    };
    const load = await fetch(new URL("/_/api/plugins", url), {
      method: "POST",
      headers,
      body: JSON.stringify({ plugins: [{ name: "late-ui", version: "1.0.0" }] }),
    });
    expect(load.status).toBe(201);
    await page.locator("#menu a", { hasText: "Late" }).waitFor({ timeout: 2000 });
    await page.locator("table.plugins td", { hasText: "late-ui" }).waitFor({ timeout: 2000 });
    const unload = await fetch(new URL("/_/api/plugins/unload", url), {
      method: "POST",
      headers,
      body: JSON.stringify({ names: ["late-ui"] }),
    });
    expect(unload.status).toBe(204);
    await page.locator("#menu a", { hasText: "Late" }).waitFor({ state: "detached", timeout: 2000 });
    await page.close();
  }, 30000);
});
