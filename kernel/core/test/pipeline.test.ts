import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import {
  inlinePlugin,
  pluginPackage,
  startTestKernel,
  tempDir,
  withHooks,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

/** A plugin definition whose `fetch` answers `text`. */
const say = (text: string) => withHooks({ fetch: () => new Response(text) });

describe("request pipeline", () => {
  it("routes to the longest matching base first, then shorter ones, then the plugin at /", async () => {
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin("root", { base: "/" }, say("root")),
        inlinePlugin("api", { base: "/api" }, say("api")),
        inlinePlugin("api-users", { base: "/api/users" }, say("users")),
      ],
    });
    expect(await (await request("/api/users/7")).text()).toBe("users");
    expect(await (await request("/api/other")).text()).toBe("api");
    expect(await (await request("/api")).text()).toBe("api");
    expect(await (await request("/apiary")).text()).toBe("root");
  });

  it("tries fetch, then routes mounted at the base, and falls through when both decline", async () => {
    const routes = new Hono().get("/hello", (c) => c.text("from routes"));
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin("root", { base: "/" }, say("fallback")),
        inlinePlugin(
          "mixed",
          { base: "/m" },
          withHooks({
            fetch: (req) => (req.url.endsWith("/direct") ? new Response("from fetch") : undefined),
            routes,
          }),
        ),
      ],
    });
    expect(await (await request("/m/direct")).text()).toBe("from fetch");
    expect(await (await request("/m/hello")).text()).toBe("from routes");
    expect(await (await request("/m/missing")).text()).toBe("fallback");
  });

  it("answers an unmatched path with a coded 404", async () => {
    const { request } = await startTestKernel();
    const res = await request("/nowhere?x=1");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "BUNTIME_ERR_NOT_FOUND", message: "no route for /nowhere" },
    });
  });

  it("puts a fresh request id on every response, ignoring the caller's by default", async () => {
    const { request } = await startTestKernel();
    const generated = (await request("/x")).headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    expect((await request("/x")).headers.get("x-request-id")).not.toBe(generated);
    const spoofed = await request("/x", { headers: { "x-request-id": "abc-123" } });
    expect(spoofed.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  });

  it("keeps a sane request id from the caller when told to trust it", async () => {
    const { request } = await startTestKernel({ config: { trustRequestId: true } });
    expect(
      (await request("/x", { headers: { "x-request-id": "abc-123" } })).headers.get("x-request-id"),
    ).toBe("abc-123");
    const insane = (await request("/x", { headers: { "x-request-id": "bad id" } })).headers.get(
      "x-request-id",
    );
    expect(insane).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  });

  it("adds the request id even to responses with immutable headers", async () => {
    const upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("up") });
    try {
      const { request } = await startTestKernel({
        plugins: [inlinePlugin("proxy", { base: "/" }, withHooks({ fetch: () => fetch(upstream.url) }))],
      });
      const res = await request("/");
      expect(await res.text()).toBe("up");
      expect(res.headers.get("x-request-id")).toBeTruthy();
    } finally {
      upstream.stop(true);
    }
  });

  it("serves the kernel API before plugin bases, after onRequest hooks", async () => {
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin("root", { base: "/", kernel: "^0.1.0" }, say("root")),
        inlinePlugin(
          "gate",
          {},
          withHooks({
            onRequest: (req) =>
              req.headers.get("x-deny") ? new Response("denied", { status: 403 }) : undefined,
          }),
        ),
      ],
    });
    const health = await request("/_/api/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", version: "0.1.0" });
    const plugins = (await (await request("/_/api/plugins")).json()) as { plugins: { name: string }[] };
    expect(plugins.plugins.map((p) => p.name).sort()).toEqual(["gate", "root"]);
    expect((await request("/_/api/pool")).status).toBe(200);
    expect((await request("/_/api/health", { headers: { "x-deny": "1" } })).status).toBe(403);
    expect((await request("/_/api/unknown")).status).toBe(404);
  });
});

describe("plugin UI folders", () => {
  it("serves the files of a plugin's ui folder at its base, after fetch and routes decline", async () => {
    const dev = tempDir();
    const dir = writePluginFolder(
      join(dev, "panel"),
      pluginPackage("panel", {
        base: "/panel",
        ui: { dir: "ui", menu: [{ label: "Panel", path: "/panel/" }] },
      }),
      `export default {
  setup: () => ({ fetch: (req) => (req.url.endsWith("/api") ? new Response("api") : undefined) }),
};`,
    );
    mkdirSync(join(dir, "ui", "assets"), { recursive: true });
    writeFileSync(join(dir, "ui", "index.html"), "<h1>panel</h1>");
    writeFileSync(join(dir, "ui", "assets", "app.js"), "console.log(1)");
    writeFileSync(join(dir, "ui", ".secret"), "no");
    writeFileSync(join(dir, "package-note.txt"), "outside the ui folder");
    const { request } = await startTestKernel({ config: { pluginDirs: [dev] } });

    const index = await request("/panel/");
    expect(await index.text()).toBe("<h1>panel</h1>");
    expect(index.headers.get("content-type")).toContain("text/html");
    expect(await (await request("/panel/assets/app.js")).text()).toBe("console.log(1)");
    expect(await (await request("/panel/api")).text()).toBe("api");
    for (const path of [
      "/panel/.secret",
      "/panel/../package-note.txt",
      "/panel/%2e%2e/package-note.txt",
      "/panel/missing.js",
    ]) {
      expect((await request(path)).status).toBe(404);
    }
    expect((await request("/panel/", { method: "POST" })).status).toBe(404);
  });
});
