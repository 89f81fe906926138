/**
 * Signed-out visits in chromium through the real default distribution (`npm start`'s script):
 * every UI page leads to sign-in and back, never to a bare 401, in the window and inside the
 * shell's frames; scripts' calls keep their JSON 401; the first admin is created in the browser
 * with the setup token (a wrong one, differing passwords, a second attempt and hostile `next`
 * values refused), and a frame cannot bounce a signed-in user to sign-in. With `BUNTIME_AUTH_SCREENSHOTS=1` it also saves docs/images/auth-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { untilListening } from "@buntime/test-kit/listening";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { Browser, Frame, Page } from "playwright-core";

const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });
const IMAGES = join(import.meta.dir, "..", "..", "..", "docs", "images");
const SCREENSHOTS = process.env.BUNTIME_AUTH_SCREENSHOTS === "1";
const PASSWORD = "a long admin passphrase";
/** The UI pages of the default distribution, and a protected app with an index.html. */
const PAGES = ["/", "/logs/", "/metrics/", "/marketplace/", "/database/", "/deployments/", "/notes/"];

/** `path` as the `next` of a sign-in address. */
const signInFor = (path: string) => `/auth/login?next=${encodeURIComponent(path)}`;

// One distribution for the file, so the tests run in order: the first admin is created in the
// fourth, and the later ones sign in as that admin.
describe.skipIf(noChromium)("signed-out visits in a browser, on the default distribution", () => {
  let child: ReturnType<typeof startDefaultDistribution>;
  let url: URL;
  let home: string;
  let browser: Browser;
  const at = (path: string) => new URL(path, url).href;
  const pathOf = (page: Page) => {
    const here = new URL(page.url());
    return here.pathname + here.search;
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "buntime-auth-browser-")); // kept for the whole file, not one test
    mkdirSync(join(home, "apps", "notes", "public"), { recursive: true });
    writeFileSync(join(home, "apps", "notes", "buntime.json"), JSON.stringify({ visibility: "protected" }));
    writeFileSync(
      join(home, "apps", "notes", "public", "index.html"),
      "<!doctype html><title>Notes</title><h1>Notes</h1>",
    );
    child = startDefaultDistribution(home, {}, { stderr: "ignore" });
    url = (await untilListening(child.stdout, 60_000)).url;
    browser = await launchTestBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    child?.kill("SIGTERM");
    await child?.exited;
    rmSync(home, { recursive: true, force: true });
  });

  async function fresh(): Promise<Page> {
    return (await browser.newContext()).newPage();
  }

  async function signInHere(page: Page, password = PASSWORD): Promise<void> {
    await page.fill("input[name=username]", "admin");
    await page.fill("input[name=password]", password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  }

  const shellFrame = (page: Page, segment: string): Frame | undefined =>
    page.frames().find((frame) => frame !== page.mainFrame() && frame.url().includes(`/${segment}/`));

  it("sends every UI page, opened in the window, to sign-in with next", async () => {
    const page = await fresh();
    for (const path of PAGES) {
      const response = await page.goto(at(path));
      expect(pathOf(page)).toBe(signInFor(path));
      expect(response?.status()).toBe(200);
    }
    await page.context().close();
  }, 60_000);

  it("keeps scripts' calls on JSON 401s, never a redirect", async () => {
    const page = await fresh();
    await page.goto(at("/auth/login"));
    const answers = await page.evaluate(async () => {
      const paths = [
        "/logs/api/logs",
        "/metrics/api/snapshot",
        "/shell/api/catalog",
        "/auth/me",
        "/notes/",
        "/",
        "/database/",
      ];
      return Promise.all(
        paths.map(async (path) => {
          const response = await fetch(path, { redirect: "manual", headers: { accept: "text/html,*/*" } });
          const body = await response.json().catch(() => undefined);
          return { path, status: response.status, code: body?.error?.code };
        }),
      );
    });
    for (const answer of answers)
      expect(answer).toMatchObject({ status: 401, code: "BUNTIME_ERR_AUTH_REQUIRED" });
    const xhr = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const request = new XMLHttpRequest();
          request.open("GET", "/logs/api/logs");
          request.onload = () => resolve(request.status);
          request.send();
        }),
    );
    expect(xhr).toBe(401);
    await page.context().close();
  }, 30_000);

  it("shows a Sign in link, not 'HTTP 401', on a plugin page opened alone", async () => {
    const page = await fresh();
    for (const [path, text] of [
      ["/logs/?standalone", "to see the logs"],
      ["/metrics/?standalone", "to see the metrics"],
      ["/deployments/?standalone", "to manage deployments"],
    ] as const) {
      await page.goto(at(path));
      const link = page.locator("#status a", { hasText: "Sign in" });
      await link.waitFor();
      expect(await page.locator("#status").textContent()).toContain(text);
      expect(await page.content()).not.toContain("HTTP 401");
      expect(await link.getAttribute("href")).toBe(signInFor(path));
    }
    await page.context().close();
  }, 30_000);

  it("creates the first admin in the browser, refusing a wrong token and differing passwords, and lands where the user was going", async () => {
    const page = await fresh();
    await page.goto(at("/logs/"));
    expect(pathOf(page)).toBe(signInFor("/logs/"));
    if (SCREENSHOTS) await page.screenshot({ path: join(IMAGES, "auth-sign-in-first-run.png") });
    await Promise.all([page.waitForNavigation(), page.click("text=Create the first admin")]);
    expect(pathOf(page)).toBe(`/auth/setup?next=${encodeURIComponent("/logs/")}`);
    if (SCREENSHOTS) await page.screenshot({ path: join(IMAGES, "auth-first-admin.png") });

    const token = readFileSync(join(home, "data", "@buntime", "plugin-auth", "setup-token"), "utf8").trim();
    const submit = async (fields: Record<string, string>) => {
      for (const [name, value] of Object.entries(fields)) await page.fill(`input[name=${name}]`, value);
      await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    };
    await submit({ token: "not-the-token", username: "admin", password: PASSWORD, confirm: PASSWORD });
    expect(await page.locator("[role=alert]").textContent()).toBe("setup refused: wrong setup token");
    await submit({ token, username: "admin", password: PASSWORD, confirm: "another passphrase" });
    expect(await page.locator("[role=alert]").textContent()).toContain("the two passwords differ");
    expect(await page.locator("input[name=next]").inputValue()).toBe("/logs/");

    await submit({ token, username: "admin", password: PASSWORD, confirm: PASSWORD });
    expect(pathOf(page)).toBe("/logs/");
    await page.locator(".who", { hasText: "admin" }).waitFor();
    const logs = shellFrame(page, "logs");
    await logs?.locator("#status", { hasText: "lines" }).waitFor();

    // the token worked once: a second visitor finds no form, and a replay is refused
    const other = await fresh();
    const again = await other.goto(at("/auth/setup"));
    expect(again?.status()).toBe(410);
    expect(await other.locator("input[name=token]").count()).toBe(0);
    const replay = await other.request.post(at("/auth/setup"), {
      data: { token, username: "eve", password: "eves passphrase" },
    });
    expect(replay.status()).toBe(403);
    expect((await replay.json()).error.message).toBe("setup refused: an admin already exists");
    await other.goto(at("/auth/login"));
    expect(await other.content()).not.toContain("Create the first admin");
    if (SCREENSHOTS) await other.screenshot({ path: join(IMAGES, "auth-sign-in.png") });
    await other.context().close();
    await page.context().close();
  }, 90_000);

  it("lands on this site for hostile next values", async () => {
    const page = await fresh();
    for (const next of [
      "//evil.example/",
      "https://evil.example/",
      "/\\evil.example",
      "/%2f%2fevil.example",
    ]) {
      await page.context().clearCookies();
      await page.goto(at(`/auth/login?next=${encodeURIComponent(next)}`));
      await signInHere(page);
      expect(new URL(page.url()).origin).toBe(url.origin);
      expect(pathOf(page)).toBe("/");
    }
    await page.context().close();
  }, 60_000);

  it("signs in and comes back from a frame whose page or API call gets 401 inside the shell", async () => {
    const page = await fresh();
    await page.goto(at("/metrics/"));
    await signInHere(page);
    expect(pathOf(page)).toBe("/metrics/");
    await shellFrame(page, "metrics")?.locator("#status", { hasText: "kernel" }).waitFor();
    // the session ends; the metrics page's next poll gets 401 and the shell takes the window to sign-in
    await page.context().clearCookies();
    await page.waitForURL((address) => address.pathname === "/auth/login", { timeout: 20_000 });
    expect(pathOf(page)).toBe(signInFor("/metrics/"));
    await signInHere(page);
    expect(pathOf(page)).toBe("/metrics/");
    await shellFrame(page, "metrics")?.locator("#status", { hasText: "kernel" }).waitFor();

    // a protected app's page reloaded in its frame after the session ended: the framed 401 page asks the shell
    await page.goto(at("/notes/"));
    const notes = shellFrame(page, "notes");
    await notes?.locator("h1", { hasText: "Notes" }).waitFor();
    await page.context().clearCookies();
    await notes?.evaluate(() => location.reload());
    await page.waitForURL((address) => address.pathname === "/auth/login", { timeout: 20_000 });
    expect(pathOf(page)).toBe(signInFor("/notes/"));
    await signInHere(page);
    expect(pathOf(page)).toBe("/notes/");

    // the database console's page, reloaded after the session ended, redirects to sign-in: in a frame that becomes the framed 401 page
    await page.goto(at("/database/"));
    const database = shellFrame(page, "database");
    await database?.locator("#work").waitFor();
    await page.context().clearCookies();
    await database?.evaluate(() => location.reload());
    await page.waitForURL((address) => address.pathname === "/auth/login", { timeout: 20_000 });
    expect(pathOf(page)).toBe(signInFor("/database/"));
    await signInHere(page);
    expect(pathOf(page)).toBe("/database/");

    // the session ends while the shell is open; a menu click on a page that needs sign-in goes to sign-in and back
    await page.context().clearCookies();
    await page.click('a[data-shell-link][href="/marketplace/"]');
    await page.waitForURL((address) => address.pathname === "/auth/login", { timeout: 20_000 });
    expect(pathOf(page)).toBe(signInFor("/marketplace/"));
    await signInHere(page);
    expect(pathOf(page)).toBe("/marketplace/");

    // a frame that says "sign in" while the shell's session is fine cannot bounce the user: a tile offers it
    await page.goto(at("/logs/"));
    const logs = shellFrame(page, "logs");
    await logs?.locator("#status", { hasText: "lines" }).waitFor();
    await logs?.evaluate(() =>
      (window as unknown as { frameSDK: { emit(name: string): void } }).frameSDK.emit("sign-in"),
    );
    await page.locator(".tile", { hasText: "Sign in to use this page" }).waitFor();
    expect(pathOf(page)).toBe("/logs/");
    await page.context().close();
  }, 90_000);
});
