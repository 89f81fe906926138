/** An app's cors rules: preflights answered by the router, allowed origins and credentials on answers, others left out. */
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";
import { start, writeApp } from "./support.ts";

const SHOP = "https://shop.example.com";

function preflight(origin: string, method = "PUT", headers = "content-type") {
  return {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
  };
}

describe("cross-origin rules of an app", () => {
  it("answers a preflight for an allowed origin without waking the app, with credentials and max age", async () => {
    const { apps, get } = await start();
    const cors = { origins: [SHOP], credentials: true, headers: ["content-type"], maxAge: "1m" };
    writeApp(join(apps, "api"), "api", { "buntime.json": JSON.stringify({ cors }) });
    const response = await get("/api/items", preflight(SHOP));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(response.headers.get("access-control-allow-headers")).toBe("content-type");
    expect(response.headers.get("access-control-max-age")).toBe("60");

    const actual = await get("/api/items", { headers: { origin: SHOP } });
    expect(((await actual.json()) as { tag: string }).tag).toBe("api");
    expect(actual.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(actual.headers.get("vary")).toContain("Origin");
  });

  it("gives an origin that is not listed no access-control header", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "api"), "api", { "buntime.json": JSON.stringify({ cors: { origins: [SHOP] } }) });
    const other = await get("/api/items", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const pre = await get("/api/items", preflight("https://evil.example"));
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds nothing for an app without rules, and refuses * with credentials naming the field", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "plain"), "plain");
    expect(
      (await get("/plain/", { headers: { origin: SHOP } })).headers.get("access-control-allow-origin"),
    ).toBeNull();
    writeApp(join(apps, "loose"), "loose", {
      "buntime.json": JSON.stringify({ cors: { origins: "*", credentials: true } }),
    });
    const refused = await get("/loose/");
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain("cors.credentials");
  });
});

/** A plugin at /echo that runs after the router and refuses everything under /guarded/ as auth would without credentials. */
const echoAndGuard: InlinePlugin = {
  packageJson: {
    name: "echo",
    version: "1.0.0",
    buntime: { kernel: "*", base: "/echo", optionalDependencies: { "@buntime/plugin-router": "*" } },
  },
  plugin: definePlugin({
    setup: () => ({
      onRequest(_request, context) {
        if (context.pathname.startsWith("/guarded/")) return new Response("sign in", { status: 401 });
      },
      fetch: (request) => new Response(`echo ${request.method}`),
    }),
  }),
};

describe("cross-origin rules of plugin bases, and preflights before auth", () => {
  it("answers preflights under a base with rules and adds headers to its answers; other bases get nothing", async () => {
    const { get } = await start({
      plugins: [echoAndGuard],
      cors: { "/echo": { origins: [SHOP], credentials: true, methods: ["POST"] } },
    });
    const pre = await get("/echo/items", preflight(SHOP, "POST"));
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(pre.headers.get("access-control-allow-credentials")).toBe("true");
    const answer = await get("/echo/items", { method: "POST", headers: { origin: SHOP } });
    expect(await answer.text()).toBe("echo POST");
    expect(answer.headers.get("access-control-allow-origin")).toBe(SHOP);
    const stranger = await get("/echo/items", { headers: { origin: "https://evil.example" } });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    const noRules = await get("/echoes/items", { headers: { origin: SHOP } });
    expect(noRules.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers an app's preflight before a guard that would refuse it, while real requests still meet the guard", async () => {
    const { apps, get } = await start({ plugins: [echoAndGuard] });
    writeApp(join(apps, "guarded"), "guarded", {
      "buntime.json": JSON.stringify({ cors: { origins: [SHOP] } }),
    });
    const pre = await get("/guarded/items", preflight(SHOP));
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect((await get("/guarded/items", { headers: { origin: SHOP } })).status).toBe(401);
  });

  it("refuses a cors setting that names no base, naming it", async () => {
    expect(start({ cors: { storage: { origins: [SHOP] } } })).rejects.toThrow(/cors/);
  });
});
