/**
 * Benchmark of the shell in chromium on loopback, each figure beside its target:
 * first contentful paint and time to interactive of `/` (cold cache: a new browser context per
 * run), INIT→READY of a frame, a function call's round trip across the frame, and the time from
 * loading a plugin through the kernel API to its menu entry showing in an open shell.
 *
 *   bun shell/bench/shell.ts [--runs 20] [--calls 2000]
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Page } from "playwright-core";
import { startShellKernel } from "../test/support.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "20" }, calls: { type: "string", default: "2000" } },
});
const runs = Number(values.runs);
const calls = Number(values.calls);
const DEMO = join(import.meta.dir, "..", "test", "fixtures", "demo-ui");

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function report(name: string, value: number, target: number, unit = "ms"): void {
  const verdict = value <= target ? "ok" : "MISSED";
  console.log(
    `${name.padEnd(40)} ${value.toFixed(3).padStart(10)} ${unit}   target ≤ ${target} ${unit}   ${verdict}`,
  );
}

const kernel = await startShellKernel([DEMO]);
const url = kernel.url as URL;
const browser = await launchTestBrowser();
try {
  // first paint and interactive, cold: a fresh context (no cache) per run
  const fcp: number[] = [];
  const tti: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(new URL("/", url).href);
    await page.waitForFunction(() => performance.getEntriesByName("buntime:shell-interactive").length > 0);
    const [paint, ready] = await page.evaluate(() => [
      performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN,
      performance.getEntriesByName("buntime:shell-interactive")[0]?.startTime ?? Number.NaN,
    ]);
    fcp.push(paint as number);
    tti.push(ready as number);
    await context.close();
  }
  report("shell first contentful paint (p50)", quantile(fcp, 0.5), 500);
  report("shell time to interactive (p50)", quantile(tti, 0.5), 1000);

  // INIT→READY and calls, in one warm page
  const page: Page = await browser.newPage();
  await page.goto(new URL("/t/host", url).href);
  await page.waitForFunction(
    () => (document.querySelector("z-frame") as unknown as { isReady: boolean })?.isReady,
  );
  const handshakes = await page.evaluate(async (count) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const frame = document.createElement("z-frame");
      frame.setAttribute("src", "/t/child");
      frame.setAttribute("ping-interval", "0");
      const ready = new Promise<number>((resolve) =>
        frame.addEventListener("ready", (event) => resolve((event as CustomEvent).detail.initToReady)),
      );
      document.body.append(frame);
      times.push(await ready);
      frame.remove();
    }
    return times;
  }, runs * 2);
  report("INIT→READY (p95)", quantile(handshakes, 0.95), 50);
  const trips = await page.evaluate(async (count) => {
    const frame = document.querySelector("z-frame") as unknown as {
      add(a: number, b: number): Promise<number>;
    };
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await frame.add(i, 1);
      times.push(performance.now() - start);
    }
    return times;
  }, calls);
  report("function call round trip (p50)", quantile(trips, 0.5), 1);
  report("function call round trip (p99)", quantile(trips, 0.99), 5);

  // a plugin loaded through the kernel API, until its menu entry shows in an open shell
  const shell = await browser.newPage();
  await shell.goto(new URL("/", url).href);
  await shell.waitForFunction(() => performance.getEntriesByName("buntime:shell-interactive").length > 0);
  const token = (await Bun.file(join(kernel.home, "admin-token")).text()).trim();
  const folder = join(kernel.home, "plugins", "late-ui", "1.0.0");
  cpSync(DEMO, folder, { recursive: true });
  const pkg = await Bun.file(join(folder, "package.json")).json();
  Object.assign(pkg, { name: "late-ui" });
  Object.assign(pkg.buntime, { base: "/late", ui: { dir: "ui", menu: [{ label: "Late", path: "/late/" }] } });
  await Bun.write(join(folder, "package.json"), JSON.stringify(pkg));
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    origin: url.origin,
  };
  const shown: number[] = [];
  for (let run = 0; run < Math.min(runs, 10); run++) {
    const start = performance.now();
    const body = JSON.stringify({ plugins: [{ name: "late-ui", version: "1.0.0" }] });
    const loaded = await fetch(new URL("/_/api/plugins", url), { method: "POST", headers, body });
    if (loaded.status !== 201) throw new Error(`load answered ${loaded.status}: ${await loaded.text()}`);
    await shell.locator("#menu a", { hasText: "Late" }).waitFor({ timeout: 10000 });
    shown.push(performance.now() - start);
    const unload = JSON.stringify({ names: ["late-ui"] });
    await fetch(new URL("/_/api/plugins/unload", url), { method: "POST", headers, body: unload });
    await shell.locator("#menu a", { hasText: "Late" }).waitFor({ state: "detached", timeout: 10000 });
  }
  report("plugin loaded → menu entry visible (max)", Math.max(...shown), 2000);
} finally {
  await browser.close();
  await kernel.stop();
}
