/**
 * The marketplace in a real browser, inside the shell, against a live kernel and registry:
 * search, detail, a hostile readme that runs nothing, install with a plan and live progress (the
 * menu gains the plugin's entry without a reload), an upgrade that needs consent, one whose new
 * version fails (its setup, then its declared health check) and leaves the old one serving, the
 * Installed tab and the audit trail; icons on the cards and screenshots on the detail page.
 * With MARKETPLACE_SCREENSHOTS=<dir> it saves the screenshots docs/marketplace.md shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser, Frame, Page } from "playwright-core";
import { type Bench, HOSTILE_README, noChromium, startBench } from "./support.ts";

const SHELL = join(import.meta.dir, "..", "..", "..", "shell");
const SHOTS = process.env.MARKETPLACE_SCREENSHOTS;

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `marketplace-${name}.png`) });
}

/** A PNG of `html` rendered at `width`×`height`: real images for the plugins' icons and screenshots. */
async function renderPng(browser: Browser, html: string, width: number, height: number): Promise<Uint8Array> {
  const scratch = await browser.newPage({ viewport: { width, height } });
  await scratch.setContent(`<body style="margin:0;font-family:system-ui,sans-serif">${html}</body>`);
  const png = await scratch.screenshot({ type: "png" });
  await scratch.close();
  return new Uint8Array(png);
}

/** A 128×128 icon: a rounded tile in `colors` with `letter`. */
function iconHtml(letter: string, colors: [string, string]): string {
  return `<div style="width:128px;height:128px;background:linear-gradient(135deg,${colors[0]},${colors[1]});display:flex;align-items:center;justify-content:center;color:#fff;font-weight:700;font-size:72px">${letter}</div>`;
}

/** A 640×400 screenshot of a made-up page: a card titled `title` listing `lines`. */
function screenshotHtml(title: string, lines: string[]): string {
  return `<div style="width:640px;height:400px;background:#eef1f7;display:flex;align-items:center;justify-content:center">
<div style="width:440px;background:#fff;border-radius:14px;box-shadow:0 4px 24px #0002;padding:28px">
<h2 style="margin:0 0 16px;font-size:30px">${title}</h2>
${lines.map((line) => `<div style="border:1px solid #d5d9e2;border-radius:10px;padding:12px 14px;margin:10px 0;font-size:21px">${line}</div>`).join("")}
</div></div>`;
}

/** Whether every image `selector` matches in `frame` has loaded and decoded (naturalWidth > 0). */
async function imagesLoaded(frame: Frame, selector: string): Promise<number> {
  await frame.waitForFunction(
    (sel) => [...document.querySelectorAll<HTMLImageElement>(sel)].every((img) => img.complete),
    selector,
  );
  return frame.evaluate(
    (sel) =>
      [...document.querySelectorAll<HTMLImageElement>(sel)].filter((img) => img.naturalWidth > 0).length,
    selector,
  );
}

/** The marketplace's frame inside the shell, once it shows `text`. */
async function marketplaceFrame(page: Page, text: string): Promise<Frame> {
  const frame = page.frameLocator("z-frame iframe");
  await frame.locator("body", { hasText: text }).first().waitFor({ timeout: 15_000 });
  const found = page.frames().find((f) => f !== page.mainFrame() && f.url().includes("/marketplace"));
  if (!found) throw new Error("no marketplace frame");
  return found;
}

describe.skipIf(noChromium)("the marketplace in chromium, inside the shell", () => {
  let bench: Bench;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    bench = await startBench([SHELL]);
    browser = await launchTestBrowser();
    await bench.publish({
      name: "@acme/hello",
      version: "1.0.0",
      permissions: { network: ["api.acme.test"] },
      menu: true,
      readme: "# Hello\n\nSays **hello** from `/hello/`.\n",
      icon: await renderPng(browser, iconHtml("H", ["#4f7cff", "#8a5cff"]), 128, 128),
    });
    await bench.publish({
      name: "@acme/auth-extra",
      version: "2.0.0",
      description: "more sign-in methods",
      keywords: ["auth"],
      permissions: { env: ["EXTRA_SECRET"], storage: true },
      icon: await renderPng(browser, iconHtml("A", ["#10a37f", "#0b7a5f"]), 128, 128),
      screenshots: [
        {
          data: await renderPng(
            browser,
            screenshotHtml("Sign in", ["Use a passkey", "Email me a link", "Continue with GitHub"]),
            640,
            400,
          ),
          caption: "The sign-in page with the extra methods",
        },
        {
          data: await renderPng(
            browser,
            screenshotHtml("Passkeys", [
              "Laptop · added today",
              "Phone · added 3 days ago",
              "+ Add a passkey",
            ]),
            640,
            400,
          ),
          caption: "Managing passkeys",
        },
      ],
    });
    await bench.publish({ name: "@acme/evil", version: "0.1.0", readme: HOSTILE_README });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await bench?.stop();
  });

  it("searches, opens a detail page with its permissions and trust, and runs nothing from a hostile readme", async () => {
    await page.goto(new URL("/marketplace/", bench.url).href);
    let frame = await marketplaceFrame(page, "Marketplace");
    await frame.locator("#result-count", { hasText: "3 plugins" }).waitFor();
    // the icons the packages ship render; a plugin without one gets the neutral placeholder
    expect(await imagesLoaded(frame, ".card img.icon")).toBe(2);
    expect(await frame.locator('.card[data-name="@acme/evil"] .icon.placeholder').textContent()).toBe("E");
    await shot(page, "browse");
    await frame.fill("input[name=q]", "auth");
    await frame.click("form.search button[type=submit]");
    await frame.locator("#result-count", { hasText: "1 plugin" }).waitFor();
    await frame.locator(".card h3 a", { hasText: "@acme/auth-extra" }).waitFor();
    await frame.click(".card h3 a");
    frame = await marketplaceFrame(page, "Keep files in its own data folder");
    expect(await frame.locator("#permissions li").allTextContents()).toEqual([
      "Read the environment variable EXTRA_SECRET",
      "Keep files in its own data folder",
    ]);
    expect(await frame.locator("#trust").textContent()).toContain("Registry signature verified");
    expect(await imagesLoaded(frame, "#screenshots img, .title img.icon")).toBe(3);
    expect(await frame.locator("#screenshots figcaption").allTextContents()).toEqual([
      "The sign-in page with the extra methods",
      "Managing passkeys",
    ]);
    await shot(page, "detail");

    await page.goto(new URL("/marketplace/plugin/@acme/evil", bench.url).href);
    frame = await marketplaceFrame(page, "Bold");
    expect(await frame.locator("#readme script, #readme img, #readme iframe").count()).toBe(0);
    expect(await frame.locator('#readme a[href^="javascript" i]').count()).toBe(0);
    await frame.locator("#readme a", { hasText: "a real link" }).waitFor();
    await frame.locator("#readme", { hasText: "click me" }).click();
    await page.waitForTimeout(300);
    expect(await frame.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await shot(page, "hostile-readme");
  }, 60_000);

  it("installs after a plan, with live progress, and the menu gains the plugin without a reload", async () => {
    await page.goto(new URL("/marketplace/plugin/@acme/hello", bench.url).href);
    const frame = await marketplaceFrame(page, "Permissions");
    await frame.click('button[data-action="install"]');
    await frame.locator("#plan h2", { hasText: "Plan: install @acme/hello" }).waitFor();
    expect(await frame.locator("#plan tbody tr").first().textContent()).toContain(
      "Connect to api.acme.test over the network",
    );
    expect(await frame.locator("#plan tbody tr").first().textContent()).toContain("registry signature");
    await shot(page, "plan");
    const started = Date.now();
    await frame.click("#confirm");
    await frame.locator("#outcome", { hasText: "Done" }).waitFor({ timeout: 30_000 });
    await page.locator("#menu a", { hasText: "hello" }).waitFor({ timeout: 5_000 });
    console.log(`click Install → menu entry visible: ${Date.now() - started} ms`);
    expect(await frame.locator(".steps li.done").allTextContents()).toEqual([
      "resolve",
      "download",
      "verify",
      "load",
      "health",
      "switched",
    ]);
    expect(await (await fetch(new URL("/hello/x", bench.url))).text()).toBe("@acme/hello@1.0.0");
    await frame.locator("#outcome").scrollIntoViewIfNeeded();
    await shot(page, "progress");
  }, 60_000);

  it("asks for consent when an upgrade widens permissions", async () => {
    await bench.publish({
      name: "@acme/hello",
      version: "1.1.0",
      permissions: { network: ["api.acme.test"], env: ["HELLO_KEY"] },
      menu: true,
    });
    await page.goto(new URL("/marketplace/plugin/@acme/hello", bench.url).href);
    const frame = await marketplaceFrame(page, "Permissions");
    await frame.click('button[data-action="upgrade"]');
    await frame
      .locator("#plan .widened", { hasText: "NEW: Read the environment variable HELLO_KEY" })
      .waitFor();
    expect(await frame.locator("#confirm").isDisabled()).toBe(true);
    await shot(page, "consent");
    await frame.check("#consent");
    await frame.click("#confirm");
    await frame.locator("#outcome", { hasText: "Done" }).waitFor({ timeout: 30_000 });
    expect(await (await fetch(new URL("/hello/x", bench.url))).text()).toBe("@acme/hello@1.1.0");
  }, 60_000);

  it("keeps the old version serving when the new one fails its setup, and shows the CLI's reason", async () => {
    await bench.publish({
      name: "@acme/hello",
      version: "1.2.0",
      permissions: { network: ["api.acme.test"], env: ["HELLO_KEY"] },
      menu: true,
      setup: 'throw new Error("database unreachable")',
    });
    await page.goto(new URL("/marketplace/plugin/@acme/hello", bench.url).href);
    const frame = await marketplaceFrame(page, "Permissions");
    await frame.click('button[data-action="upgrade"]');
    await frame.locator("#confirm").waitFor();
    await frame.click("#confirm");
    const outcome = frame.locator("#outcome.error");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.textContent()).toContain("buntime plugin install: ");
    expect(await outcome.textContent()).toContain("database unreachable");
    expect(await frame.locator(".steps li.failed").allTextContents()).toEqual(["load"]);
    expect(await (await fetch(new URL("/hello/x", bench.url))).text()).toBe("@acme/hello@1.1.0");
    await outcome.scrollIntoViewIfNeeded();
    await shot(page, "failed-upgrade");
  }, 60_000);

  it("keeps the old version serving when the new one fails its declared health check, failing at the health step", async () => {
    await bench.publish({
      name: "@acme/hello",
      version: "1.3.0",
      permissions: { network: ["api.acme.test"], env: ["HELLO_KEY"] },
      menu: true,
      health: "503",
    });
    await page.goto(new URL("/marketplace/plugin/@acme/hello", bench.url).href);
    const frame = await marketplaceFrame(page, "Permissions");
    await frame.click('button[data-action="upgrade"]');
    await frame.locator("#confirm").waitFor();
    await frame.click("#confirm");
    const outcome = frame.locator("#outcome.error");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.textContent()).toContain(
      "@acme/hello@1.3.0 failed its health check (GET /hello/health): it answered 503: database unreachable",
    );
    expect(await frame.locator(".steps li.failed").allTextContents()).toEqual(["health"]);
    expect(await frame.locator(".steps li.done").allTextContents()).toEqual([
      "resolve",
      "download",
      "verify",
      "load",
    ]);
    expect(await (await fetch(new URL("/hello/x", bench.url))).text()).toBe("@acme/hello@1.1.0");
    await outcome.scrollIntoViewIfNeeded();
    await shot(page, "failed-health");
  }, 60_000);

  it("shows the installed plugins with their updates, and the audit trail", async () => {
    await page.goto(new URL("/marketplace/installed", bench.url).href);
    const frame = await marketplaceFrame(page, "Installed");
    const row = frame.locator('tr[data-name="@acme/hello"]');
    expect(await row.textContent()).toContain("1.1.0 (running)");
    expect(await row.textContent()).toContain("1.3.0");
    await shot(page, "installed");
    await page.goto(new URL("/marketplace/audit", bench.url).href);
    const audit = await marketplaceFrame(page, "Audit trail");
    expect(await audit.locator("table.audit tbody tr").count()).toBe(4);
    await shot(page, "audit");
  }, 60_000);
});
