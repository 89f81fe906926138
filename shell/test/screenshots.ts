/**
 * Takes the screenshots of docs/shell.md: `bun shell/test/screenshots.ts` starts a kernel
 * with the router, the shell, the logs and metrics plugins and the two example apps, opens each
 * main screen in chromium and saves it under docs/images/shell-*.png.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Page } from "playwright-core";
import { buildCounter } from "../examples/counter-jsx/build.ts";

const SHELL = join(import.meta.dir, "..");
const PLUGINS = join(SHELL, "..", "plugins");
const IMAGES = join(SHELL, "..", "docs", "images");

const home = mkdtempSync(join(tmpdir(), "buntime-shell-shots-"));
mkdirSync(join(home, "apps"));
cpSync(join(SHELL, "examples", "notes-plain"), join(home, "apps", "notes-plain"), { recursive: true });
cpSync(join(SHELL, "examples", "counter-jsx", "public"), join(home, "apps", "counter-jsx", "public"), {
  recursive: true,
});
await buildCounter(join(home, "apps", "counter-jsx", "public"));
const plugins = ["router", "logs", "metrics"].map((name) => join(PLUGINS, name));
const kernel = await createTestKernel({
  plugins: [...plugins, SHELL, join(SHELL, "test", "fixtures", "demo-ui")],
  config: { home },
  listen: true,
});
const url = kernel.url as URL;
const browser = await launchTestBrowser();

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
  );
}

async function shot(name: string, path: string, prepare?: (page: Page) => Promise<void>, dark = false) {
  const page = await browser.newPage({
    viewport: { width: 1200, height: 720 },
    colorScheme: dark ? "dark" : "light",
  });
  await page.goto(new URL(path, url).href);
  await prepare?.(page);
  await Bun.sleep(400);
  await page.screenshot({ path: join(IMAGES, `shell-${name}.png`) });
  await page.close();
  console.log(`docs/images/shell-${name}.png`);
}

try {
  for (const path of ["/notes-plain/", "/counter-jsx/", "/logs/"]) await fetch(new URL(path, url)); // some traffic to show
  await shot("home", "/");
  await shot("home-dark", "/", undefined, true);
  await shot("logs", "/logs/", async (page) => {
    await page.frameLocator("z-frame iframe").locator("#lines tr").first().waitFor();
  });
  await shot("metrics", "/metrics/", async (page) => {
    await page.frameLocator("z-frame iframe").locator("body").waitFor();
    for (let i = 0; i < 8; i++) await fetch(new URL("/logs/", url)); // traffic for the charts
    await Bun.sleep(5000);
  });
  await shot("notes-confirm", "/notes-plain/", async (page) => {
    await ready(page);
    await page.frameLocator("z-frame iframe").locator("#clear").click();
    await page.locator("dialog.confirm").waitFor();
  });
  await shot(
    "counter-dark",
    "/counter-jsx/step/5",
    async (page) => {
      await ready(page);
      const app = page.frameLocator("z-frame iframe");
      await app.locator("#add").click();
      await app.locator("#add").click();
    },
    true,
  );
  await shot("watchdog", "/demo/hang.html", async (page) => {
    await page.locator(".tile").waitFor({ timeout: 10000 });
  });
} finally {
  await browser.close();
  await kernel.stop();
  rmSync(home, { recursive: true, force: true });
}
