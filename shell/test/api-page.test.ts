import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { TestKernel, TestPlugin } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser, Page } from "playwright-core";
import { noChromium, startShellKernel } from "./support.ts";

const HOSTILE = '<img src=x onerror="window.pwned=1">';

/** A document whose every text is markup, served at /_/api/openapi.json in place of the kernel's. */
const FIXTURE = {
  openapi: "3.1.0",
  info: { title: `Fixture ${HOSTILE}`, version: "9.9.9" },
  tags: [{ name: `@evil/${HOSTILE}`, description: HOSTILE }],
  paths: {
    "/evil/{id}": {
      post: {
        tags: [`@evil/${HOSTILE}`],
        summary: `Posts ${HOSTILE}`,
        description: `<script>window.pwned=2</script>`,
        parameters: [{ name: HOSTILE, in: "query", description: HOSTILE, schema: { type: "string" } }],
        requestBody: { content: { "application/json": { schema: { type: "object", title: HOSTILE } } } },
        responses: { 200: { description: HOSTILE } },
      },
    },
  },
};

/** Answers the kernel's OpenAPI address itself: `onRequest` runs before the kernel API. */
function documentAt(answer: () => Response): TestPlugin {
  return {
    packageJson: { name: "openapi-fixture", version: "1.0.0", buntime: { kernel: "^0.1.0" } },
    plugin: definePlugin({
      setup: () => ({
        onRequest: (_request, context) => (context.pathname === "/_/api/openapi.json" ? answer() : undefined),
      }),
    }),
  };
}

describe.skipIf(noChromium)("the API page in a real browser", () => {
  let browser: Browser;
  const kernels: TestKernel[] = [];

  beforeAll(async () => {
    browser = await launchTestBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const kernel of kernels) await kernel.stop();
  });

  async function open(
    plugins: (TestPlugin | string)[],
    path: string,
  ): Promise<{ page: Page; errors: string[] }> {
    const kernel = await startShellKernel(plugins);
    kernels.push(kernel);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL(path, kernel.url).href);
    return { page, errors };
  }

  const visible = (page: Page) =>
    page.$$eval("details.operation:not([hidden])", (items) =>
      items.map((item) => `${item.getAttribute("data-method")} ${item.getAttribute("data-path")}`),
    );

  it("browses the kernel's own document by tag, and its search box filters the operations", async () => {
    const LOGS = join(import.meta.dir, "..", "..", "plugins", "logs");
    const { page, errors } = await open([LOGS], "/");
    await page.locator("#menu a", { hasText: "API" }).click();
    expect(new URL(page.url()).pathname).toBe("/shell/api-reference");
    await page.waitForSelector('section.api-tag[data-tag="kernel"] details.operation');
    const all = await visible(page);
    expect(all).toContain("GET /_/api/health");
    expect(all).toContain("GET /_/api/cluster");
    expect(await page.locator("#api-count").textContent()).toBe(`${all.length} of ${all.length} operations`);
    // the kernel's own operations and each plugin's, under its tag (the shell describes its API too)
    await page.fill("#api-search", "cluster");
    expect(await visible(page)).toEqual(["GET /_/api/cluster", "GET /shell/api/cluster"]);
    expect(await page.locator("#api-count").textContent()).toBe(`2 of ${all.length} operations`);
    expect(
      await page
        .locator("section.api-tag:not([hidden])")
        .evaluateAll((s) => s.map((e) => e.getAttribute("data-tag"))),
    ).toEqual(["kernel", "@buntime/shell"]);
    await page.locator('details.operation[data-path="/shell/api/cluster"] summary').click();
    // SHELL_SCREENSHOTS=1 retakes docs/shell.md's picture of this page
    if (process.env.SHELL_SCREENSHOTS)
      await page.screenshot({ path: join(import.meta.dir, "..", "..", "docs", "images", "shell-api.png") });
    await page.fill("#api-search", "no operation is called this");
    expect(await visible(page)).toEqual([]);
    expect(await page.locator("section.api-tag:not([hidden])").count()).toBe(0);
    await page.fill("#api-search", "health");
    const health = page.locator('details.operation[data-path="/_/api/health"][data-method="GET"]');
    await health.locator("summary").click();
    expect(await health.locator(".response").first().getAttribute("data-status")).toBe("200");
    expect(await health.locator("pre.schema").first().textContent()).toContain('"type": "object"');
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows a hostile document's every text as text: no markup, no script", async () => {
    const { page, errors } = await open([documentAt(() => Response.json(FIXTURE))], "/shell/api-reference");
    await page.waitForSelector("details.operation");
    await page.locator("details.operation summary").click();
    const text = (await page.locator("#api-reference").textContent()) ?? "";
    expect(text).toContain(`Fixture ${HOSTILE} 9.9.9`);
    expect(text).toContain(`Posts ${HOSTILE}`);
    expect(text).toContain("<script>window.pwned=2</script>");
    expect(await page.locator("#api-reference img, #api-reference script").count()).toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator("section.api-tag").getAttribute("data-tag")).toBe(`@evil/${HOSTILE}`);
    expect(errors).toEqual([]);
  }, 30_000);

  it("says what the kernel answered when there is no document, or it is not JSON", async () => {
    const missing = await open(
      [documentAt(() => new Response("no", { status: 404 }))],
      "/shell/api-reference",
    );
    await missing.page.waitForSelector("#api-error");
    expect(await missing.page.locator("#api-error").textContent()).toBe(
      "Could not read the API document: /_/api/openapi.json answered 404.",
    );
    const garbage = await open([documentAt(() => new Response("{not json"))], "/shell/api-reference");
    await garbage.page.waitForSelector("#api-error");
    expect(await garbage.page.locator("#api-error").textContent()).toStartWith(
      "Could not read the API document:",
    );
    const empty = await open(
      [documentAt(() => Response.json({ openapi: "3.1.0", paths: {} }))],
      "/shell/api-reference",
    );
    await empty.page.waitForSelector("#api-reference p.empty");
    expect(await empty.page.locator("#api-count").textContent()).toBe("0 of 0 operations");
  }, 30_000);

  it("moves between the shell's own pages and the home with one history entry each; a page left stops reading", async () => {
    const { page, errors } = await open([], "/shell/cluster");
    await page.waitForSelector("#cluster-none");
    const reads: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/shell/api/cluster") reads.push(request.url());
    });
    await page.locator("#menu a", { hasText: "API" }).click();
    await page.waitForSelector("details.operation");
    await page.goBack();
    expect(new URL(page.url()).pathname).toBe("/shell/cluster");
    await page.waitForSelector("#cluster-none");
    await page.goForward();
    expect(new URL(page.url()).pathname).toBe("/shell/api-reference");
    await page.waitForSelector("details.operation");
    const before = reads.length;
    await Bun.sleep(6_000); // longer than the Cluster page's refresh: it is not open, so no read
    expect(reads.length).toBe(before);
    await page.locator(".brand").click();
    await page.waitForSelector("#home-title");
    expect(await page.locator('#menu a[aria-current="page"]').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);
});
