/**
 * The SQL console in a real browser, inside the shell, with the auth plugin: an admin signs in,
 * opens the console from the menu, creates a table, inserts, selects and sees the rows (a value
 * that looks like markup stays text), and a bad statement shows the database's error; a user
 * who is not an admin is refused and led to sign in. With DATABASE_SCREENSHOTS=docs/images it
 * saves the screenshot docs/plugins/database.md shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { Browser, Frame, Page } from "playwright-core";
import { tempHome, writeApp } from "./support.ts";

const PLUGINS = join(import.meta.dir, "..", "..");
const SHELL_DIR = join(PLUGINS, "..", "shell");
const PASSWORD = "correct horse battery";
const BOB = "bob's long password";
const HOSTILE = "<img src=x onerror=window.__pwned=1>";
const SHOTS = process.env.DATABASE_SCREENSHOTS;
const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });
// a real server for the console on PostgreSQL (stopped after this file), started where chromium runs
const postgres = noChromium ? undefined : await startTestPostgres();

describe.skipIf(noChromium)("the SQL console in the shell", () => {
  let kernel: TestKernel;
  let home: string;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    process.env.BUNTIME_ADMIN_PASSWORD = PASSWORD;
    home = tempHome();
    writeApp(home, "notes");
    kernel = await createTestKernel({
      config: { home },
      plugins: [join(PLUGINS, "auth"), join(PLUGINS, "router"), SHELL_DIR, join(PLUGINS, "database")],
      listen: true,
    });
    url = kernel.url as URL;
    browser = await launchTestBrowser();
    // a user without the admin role
    const login = await fetch(new URL("/auth/login", url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const created = await fetch(new URL("/auth/api/users", url), {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ username: "bob", password: BOB, roles: [] }),
    });
    expect(created.status).toBeLessThan(300);
  }, 30000);

  afterAll(async () => {
    delete process.env.BUNTIME_ADMIN_PASSWORD;
    await browser?.close();
    await kernel?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30000);

  const consoleFrame = (page: Page) =>
    page.frames().find((frame) => frame !== page.mainFrame() && frame.url().includes("/database/")) as Frame;

  /** Opens the console's address, signs in on the way, and waits for the framed page. */
  async function signInTo(username: string, password: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
    await page.goto(new URL("/database/", url).href);
    await page.waitForURL(/\/auth\/login\?next=/);
    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", password);
    await Promise.all([
      page.waitForURL(/\/database\/$/, { timeout: 20000 }),
      page.click("button[type=submit]"),
    ]);
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
      undefined,
      { timeout: 10000 },
    );
    return page;
  }

  async function run(frame: Frame, sql: string): Promise<void> {
    await frame.fill("#sql", sql);
    const before = await frame.locator("#status").textContent();
    await frame.click("#run button[type=submit]");
    await frame.waitForFunction((previous) => {
      const text = document.getElementById("status")?.textContent ?? "";
      return text !== "running…" && text !== previous;
    }, before);
  }

  it("lets an admin create a table, insert, select and see the rows, and shows a bad statement's error", async () => {
    const page = await signInTo("admin", PASSWORD);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const frame = consoleFrame(page);
    await frame.locator("#limits", { hasText: "sqlite" }).waitFor();
    await frame.fill("#database", "notes");
    await frame.click("#pick button[type=submit]");
    await frame.locator("#tables li", { hasText: "no tables yet" }).waitFor();

    await run(frame, "CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, legs INTEGER)");
    await frame.locator("#tables li[data-table=pets]").waitFor();
    expect(await frame.locator("#tables li[data-table=pets] ul").textContent()).toContain(
      "name TEXT NOT NULL",
    );
    await run(frame, `INSERT INTO pets (name, legs) VALUES ('cat', 4), ('${HOSTILE}', 0)`);
    expect(await frame.locator("#status").textContent()).toContain("2 changed");
    await run(frame, "SELECT id, name, legs FROM pets ORDER BY id");
    expect(await frame.locator("#status").textContent()).toMatch(/^2 rows · [\d.]+ ms$/);
    expect(await frame.locator("#result thead th").allTextContents()).toEqual(["id", "name", "legs"]);
    expect(await frame.locator("#result tbody tr:nth-child(2) td:nth-child(2)").textContent()).toBe(HOSTILE);
    // the value stayed text: no element was made of it, and its handler never ran
    expect(await frame.locator("#result img").count()).toBe(0);
    expect(await frame.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    if (SHOTS) await page.screenshot({ path: join(SHOTS, "database-console.png") });

    await run(frame, "SELECT name, legs FROM pets WHERE legs > 2 ORDER BY nme");
    await frame.locator("#failure").waitFor();
    const failure = await frame.locator("#failure-message").textContent();
    expect(failure).toContain("BUNTIME_ERR_DATABASE_STATEMENT_FAILED");
    expect(failure).toContain("no such column: nme");
    // where SQLite stopped is marked in the statement
    expect(await frame.locator("#failure-statement mark").textContent()).toBe("nme");
    expect(await frame.locator("#failure-statement").getAttribute("title")).toBe("position 53");
    expect(await frame.locator("#result tbody tr").count()).toBe(0);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, "database-console-error.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 60000);

  it("refuses a user who is not an admin, on the API and on the page, which leads to sign in", async () => {
    const page = await signInTo("bob", BOB);
    const frame = consoleFrame(page);
    await frame.locator("#access-message", { hasText: "bob may not use the SQL console" }).waitFor();
    expect(await frame.locator("#work").isHidden()).toBe(true);
    const link = frame.locator("#sign-in");
    expect(await link.isVisible()).toBe(true);
    expect(await link.getAttribute("href")).toBe("/auth/login?next=%2Fdatabase%2F");
    const api = await frame.evaluate(async () => {
      const response = await fetch("/database/api/console/query", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ database: "notes", sql: "DROP TABLE pets" }),
      });
      return { status: response.status, body: await response.json() };
    });
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe("BUNTIME_ERR_DATABASE_ADMIN_ONLY");
    await page.close();
  }, 60000);

  it("sends an anonymous visitor to sign in, and refuses the API with a coded 401", async () => {
    const page = await fetch(new URL("/database/", url), {
      redirect: "manual",
      headers: { accept: "text/html" },
    });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toContain("/auth/login?next=");
    const api = await fetch(new URL("/database/api/console/databases", url));
    expect(api.status).toBe(401);
    const body = (await api.json()) as { error: { code: string }; signIn: string };
    expect(body.error.code).toBe("BUNTIME_ERR_DATABASE_ADMIN_REQUIRED");
    expect(body.signIn).toBe("/auth/login");
  }, 30000);
});

describe.skipIf(noChromium)("the SQL console without the auth plugin", () => {
  let kernel: TestKernel;
  let home: string;
  let browser: Browser;

  beforeAll(async () => {
    home = tempHome();
    writeApp(home, "notes");
    kernel = await createTestKernel({
      config: { home },
      plugins: [join(PLUGINS, "router"), join(PLUGINS, "database")],
      listen: true,
    });
    browser = await launchTestBrowser();
  }, 30000);

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30000);

  it("asks for the kernel's admin token (a loopback address is not enough), then opens", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/database/", kernel.url).href);
    await page.locator("#token").waitFor();
    expect(await page.locator("#access-message").textContent()).toContain("the kernel's admin token");
    expect(await page.locator("#sign-in").isHidden()).toBe(true);
    await page.fill("#token input[name=token]", "not the token");
    await page.click("#token button[type=submit]");
    await page.locator("#access-message", { hasText: "admin token" }).waitFor();
    expect(await page.locator("#work").isHidden()).toBe(true);
    const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
    await page.fill("#token input[name=token]", token);
    await page.click("#token button[type=submit]");
    await page.locator("#limits", { hasText: "admin-token" }).waitFor();
    await page.fill("#database", "notes");
    await page.fill("#sql", "SELECT 6 * 7 AS answer");
    await page.click("#run button[type=submit]");
    await page.locator("#result td", { hasText: "42" }).waitFor();
    // a backup, a change, and the backup put back
    const runStatement = async (sql: string) => {
      await page.fill("#sql", sql);
      await page.click("#run button[type=submit]");
      await page.locator("#status", { hasText: " ms" }).waitFor();
    };
    await runStatement("CREATE TABLE kept (x INTEGER)");
    await runStatement("INSERT INTO kept VALUES (1), (2)");
    await page.click("#backup");
    await page.locator("#backups li[data-backup]").waitFor();
    await runStatement("DELETE FROM kept");
    page.once("dialog", (dialog) => dialog.accept());
    await page.click("#backups li[data-backup] button");
    await page.locator("#status", { hasText: "restored notes-" }).waitFor();
    await runStatement("SELECT count(*) AS n FROM kept");
    expect(await page.locator("#result tbody td").textContent()).toBe("2");
    // the token stays in the page: nothing another page of the origin could read
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }))).not.toContain(
      token,
    );
    await page.close();
  }, 30000);
});

describe.skipIf(noChromium)("the SQL console on PostgreSQL", () => {
  let kernel: TestKernel;
  let home: string;
  let browser: Browser;

  beforeAll(async () => {
    const url = postgres?.url ?? "";
    home = tempHome();
    writeApp(home, "shop");
    kernel = await createTestKernel({
      config: { home, plugins: { "@buntime/plugin-database": { backend: "postgres", url } } },
      plugins: [join(PLUGINS, "router"), join(PLUGINS, "database")],
      listen: true,
    });
    browser = await launchTestBrowser();
  }, 30000);

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30000);

  it("marks where in the statement PostgreSQL stopped", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 420 } });
    const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${token}` });
    await page.goto(new URL("/database/", kernel.url).href);
    await page.locator("#limits", { hasText: "postgres" }).waitFor();
    await page.fill("#database", "shop");
    await page.fill("#sql", "CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10, 2) NOT NULL)");
    await page.click("#run button[type=submit]");
    await page.locator("#tables li[data-table=orders]").waitFor();
    expect(await page.locator("#tables li[data-table=orders] ul").textContent()).toContain(
      "total numeric(10,2) NOT NULL",
    );
    await page.fill("#sql", "SELECT id, totl FROM orders");
    await page.click("#run button[type=submit]");
    await page.locator("#failure").waitFor();
    expect(await page.locator("#failure-message").textContent()).toContain(
      '(42703): the statement failed on database shop: column "totl" does not exist',
    );
    expect(await page.locator("#failure-statement mark").textContent()).toBe("totl");
    expect(await page.locator("#failure-statement").getAttribute("title")).toBe("position 12");
    if (SHOTS) await page.screenshot({ path: join(SHOTS, "database-console-postgres.png") });
    await page.close();
  }, 30000);
});
