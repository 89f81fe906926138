import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { SHELL_DIR } from "./support.ts";

const DEMO = join(import.meta.dir, "fixtures", "demo-ui");
const ROUTER = join(import.meta.dir, "..", "..", "plugins", "router");
const NAVIGATE = { "sec-fetch-dest": "document", "sec-fetch-mode": "navigate", accept: "text/html" };

const kernels: TestKernel[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

async function start(
  plugins: (TestPlugin | string)[],
  config: Record<string, unknown> = {},
): Promise<TestKernel> {
  const kernel = await createTestKernel({ plugins: [SHELL_DIR, ...plugins], config });
  kernels.push(kernel);
  return kernel;
}

/** A plugin whose menu label is hostile markup. */
const hostile: TestPlugin = {
  packageJson: {
    name: "hostile",
    version: "1.0.0",
    buntime: {
      kernel: "^0.1.0",
      base: "/hostile",
      ui: {
        menu: [
          { label: '<img src=x onerror="alert(1)"></script><script>alert(2)</script>', path: "/hostile/" },
        ],
      },
    },
  },
  plugin: definePlugin({ setup: () => ({ fetch: () => new Response("hostile page") }) }),
};

describe("the shell's answers", () => {
  it("answers HEAD / without a body, and 404 for assets it does not have", async () => {
    const kernel = await start([]);
    const head = await kernel.fetch("/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await kernel.fetch("/shell/other.js")).status).toBe(404);
  });

  it("wraps only a browser's top-level navigation to a UI, never frames, scripts, APIs or ?standalone", async () => {
    const kernel = await start([DEMO]);
    const shell = await kernel.fetch("/demo/a", { headers: NAVIGATE });
    expect(await shell.text()).toContain('<z-frame src="/demo" pathname="/a"');
    const inFrame = await kernel.fetch("/demo/a", { headers: { ...NAVIGATE, "sec-fetch-dest": "iframe" } });
    expect(await inFrame.text()).toContain("<title>Demo</title>");
    expect(await (await kernel.fetch("/demo/a")).text()).toContain("<title>Demo</title>");
    expect(await (await kernel.fetch("/demo/a?standalone", { headers: NAVIGATE })).text()).toContain(
      "<title>Demo</title>",
    );
    expect(await (await kernel.fetch("/demo/api/x", { headers: NAVIGATE })).text()).toContain(
      "<title>Demo</title>",
    );
    // a path no menu entry owns is left to whoever answers it
    expect((await kernel.fetch("/nothing/here", { headers: NAVIGATE })).status).toBe(404);
    // the query travels to the frame
    expect(await (await kernel.fetch("/demo/a?x=1", { headers: NAVIGATE })).text()).toContain(
      'pathname="/a?x=1"',
    );
  });

  it("escapes menu labels in the page and in its data", async () => {
    const kernel = await start([hostile]);
    const body = await (await kernel.fetch("/")).text();
    expect(body).not.toContain("<img src=x");
    expect(body).not.toContain("<script>alert(2)");
    expect(body).toContain("&lt;img src=x onerror=");
    const data = body.slice(body.indexOf('id="shell-data">'));
    expect(data).toContain("\\u003c/script>\\u003cscript>alert(2)");
    expect(data.indexOf("</script>")).toBe(data.lastIndexOf("</script>")); // only its own end tag
  });

  it("keeps the INIT→READY times shells report, and refuses anything but a short list of times", async () => {
    const kernel = await start([]);
    const post = (body: string) =>
      kernel.fetch("/shell/api/timings", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    expect((await post(JSON.stringify({ initToReady: [4, 6, 8] }))).status).toBe(204);
    const summary = await (await kernel.fetch("/shell/api/timings")).json();
    expect(summary).toEqual({ initToReady: { count: 3, p50: 6, p95: 8, max: 8 } });
    for (const bad of [
      "not json",
      JSON.stringify({ initToReady: [-1] }),
      JSON.stringify({ initToReady: [1e9] }),
      JSON.stringify({ initToReady: Array.from({ length: 51 }, () => 1) }),
      JSON.stringify({ initToReady: [1], extra: true }),
    ]) {
      const refused = await post(bad);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        "BUNTIME_ERR_BAD_REQUEST",
      );
    }
    const huge = await post(JSON.stringify({ initToReady: [1], pad: "x".repeat(20_000) }));
    expect(huge.status).toBe(413);
    expect((await (await kernel.fetch("/shell/api/timings")).json()).initToReady.count).toBe(3); // nothing changed
    expect(await (await kernel.fetch("/")).text()).toContain(
      "Frames answered the shell in 6 ms (p95 8 ms, 3 opened)",
    );
  });

  it("links no menu entry to another site", async () => {
    const menu = ["//evil.example/", "/\\evil.example", "javascript:alert(1)", "/", "/fine/"].map(
      (path, i) => ({
        label: `entry ${i}`,
        path,
      }),
    );
    const offsite: TestPlugin = {
      packageJson: {
        name: "offsite",
        version: "1.0.0",
        buntime: { kernel: "^0.1.0", base: "/fine", ui: { menu } },
      },
      plugin: definePlugin({ setup: () => undefined }),
    };
    const kernel = await start([offsite]);
    const catalog = (await (await kernel.fetch("/shell/api/catalog")).json()) as { menu: { path: string }[] };
    // the shell's own API page comes last, whatever the plugins list
    expect(catalog.menu.map((entry) => entry.path)).toEqual(["/fine/", "/shell/api-reference"]);
  });

  it("leaves / to the router's homepage app when one is configured", async () => {
    const home = mkdtempSync(join(tmpdir(), "buntime-shell-homepage-"));
    homes.push(home);
    mkdirSync(join(home, "apps", "welcome", "public"), { recursive: true });
    writeFileSync(join(home, "apps", "welcome", "public", "index.html"), "<h1>welcome app</h1>");
    const kernel = await start([ROUTER], {
      home,
      plugins: { "@buntime/plugin-router": { homepage: "welcome" } },
    });
    expect(await (await kernel.fetch("/")).text()).toContain("welcome app");
    // the app is still listed, and its address still opens in the shell
    expect(await (await kernel.fetch("/welcome/", { headers: NAVIGATE })).text()).toContain(
      '<z-frame src="/welcome"',
    );
  });

  it("lists only app folders with a page, skipping odd names and broken settings", async () => {
    const home = mkdtempSync(join(tmpdir(), "buntime-shell-apps-"));
    homes.push(home);
    const app = (name: string, files: Record<string, string>) => {
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(join(home, "apps", name, file, ".."), { recursive: true });
        writeFileSync(join(home, "apps", name, file), text);
      }
    };
    app("good", { "public/index.html": "<p>good</p>" });
    app("custom", { "buntime.json": '{"publicDir":"dist"}', "dist/index.html": "<p>custom</p>" });
    app("api-only", { "index.ts": "export default { fetch: () => new Response('x') }" });
    app("broken", { "buntime.json": "{not json", "public/index.html": "<p>broken</p>" });
    app("Bad Name", { "public/index.html": "<p>bad</p>" });
    const kernel = await start([ROUTER], { home });
    const catalog = (await (await kernel.fetch("/shell/api/catalog")).json()) as { apps: { name: string }[] };
    expect(catalog.apps.map((entry) => entry.name)).toEqual(["custom", "good"]);
  });
});
