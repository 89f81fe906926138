import { describe, expect, it } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";
import { start, tempDir, writeApp } from "./support.ts";

describe("router plugin", () => {
  it("sends /:app/* to the app's worker with the base stripped and forwarding headers set", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "hello"), "hello");
    const res = await get("/hello/items/7?sort=asc");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      tag: "hello",
      url: "http://127.0.0.1:8000/items/7?sort=asc",
      base: "/hello",
      host: "127.0.0.1:8000",
    });
    expect((await (await get("/hello")).json()).url).toBe("http://127.0.0.1:8000/");
  });

  it("picks versions from the path: highest installed, exact, or highest satisfying a range", async () => {
    const { apps, get } = await start();
    for (const version of ["1.0.0", "1.5.0", "2.0.0"]) writeApp(join(apps, "api", version), version);
    const tagOf = async (path: string) => (await (await get(path)).json()).tag;
    expect(await tagOf("/api/")).toBe("2.0.0");
    expect(await tagOf("/api@1.0.0/")).toBe("1.0.0");
    expect(await tagOf("/api@^1/x")).toBe("1.5.0");
    expect(await tagOf("/api@%5E1/x")).toBe("1.5.0");
    expect((await (await get("/api@^1/x")).json()).base).toBe("/api@%5E1"); // as the browser sends it
    expect((await get("/api@^3/")).status).toBe(404);
  });

  it("lets plugin bases win over app names", async () => {
    const { apps, get } = await start({
      plugins: [
        {
          packageJson: { name: "hello-plugin", version: "1.0.0", buntime: { kernel: "*", base: "/hello" } },
          plugin: { setup: () => ({ fetch: () => new Response("plugin") }) },
        },
      ],
    });
    writeApp(join(apps, "hello"), "app");
    expect(await (await get("/hello/x")).text()).toBe("plugin");
  });

  it("serves the configured homepage app at /", async () => {
    const { apps, get } = await start({ homepage: "welcome" });
    writeApp(join(apps, "welcome"), "welcome");
    expect(await (await get("/")).json()).toMatchObject({ tag: "welcome", base: "" });
  });

  it("tells other plugins through the apps service which app a path reaches and where it lives", async () => {
    const appsDir = tempDir("buntime-router-apps-");
    /** A plugin at /where answering what the router's service says of `?path=` and `?app=`. */
    const where: InlinePlugin = {
      packageJson: {
        name: "where",
        version: "1.0.0",
        buntime: { kernel: "*", base: "/where", consumes: ["apps"] },
      },
      plugin: definePlugin({
        setup(ctx) {
          const apps = ctx.services.get("apps");
          return {
            async fetch(request) {
              const query = new URL(request.url).searchParams;
              return Response.json({
                located: apps.locate(query.get("path") ?? "") ?? null,
                folders: await apps.folders(query.get("app") ?? ""),
              });
            },
          };
        },
      }),
    };
    const { get } = await start({ homepage: "welcome", appsDir, plugins: [where] });
    writeApp(join(appsDir, "welcome"), "welcome");
    for (const version of ["1.0.0", "2.0.0"]) writeApp(join(appsDir, "api", version), version);
    const ask = async (query: string) => (await get(`/where?${query}`)).json();
    expect(await ask("path=/&app=welcome")).toMatchObject({
      located: { name: "welcome", rest: "/" },
      folders: [join(appsDir, "welcome")],
    });
    expect(await ask(`path=${encodeURIComponent("/api@^1/users/7")}&app=api`)).toMatchObject({
      located: { name: "api", rest: "/users/7" },
      folders: [join(appsDir, "api", "2.0.0"), join(appsDir, "api", "1.0.0")],
    });
    expect(await ask(`path=${encodeURIComponent("/.hidden/x")}&app=nobody`)).toEqual({
      located: null,
      folders: [],
    });
    expect((await (await get("/")).json()).tag).toBe("welcome");
  });

  it("answers 404 for unknown apps and for / without a homepage", async () => {
    const { get } = await start();
    expect((await get("/nobody/here")).status).toBe(404);
    expect((await get("/")).status).toBe(404);
  });

  it("picks up apps added and upgraded while the kernel runs", async () => {
    const { apps, get } = await start();
    expect((await get("/late/")).status).toBe(404);
    writeApp(join(apps, "late", "1.0.0"), "v1");
    const tagSoon = async (expected: string) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const res = await get("/late/");
        if (res.status === 200 && (await res.json()).tag === expected) return expected;
        await Bun.sleep(50);
      }
      return "never";
    };
    expect(await tagSoon("v1")).toBe("v1");
    writeApp(join(apps, "late", "1.1.0"), "v1.1");
    expect(await tagSoon("v1.1")).toBe("v1.1");
    rmSync(join(apps, "late"), { recursive: true });
    let gone = false;
    for (let attempt = 0; attempt < 50 && !gone; attempt++) {
      gone = (await get("/late/")).status === 404;
      if (!gone) await Bun.sleep(50);
    }
    expect(gone).toBe(true);
  });

  it("finds an app copied in a moment ago, before the folder watcher reports it", async () => {
    const { apps, get } = await start();
    expect((await get("/fresh/")).status).toBe(404);
    await Bun.sleep(300); // past the rescan interval for unknown names
    writeApp(join(apps, "fresh"), "fresh");
    expect((await (await get("/fresh/")).json()).tag).toBe("fresh");
  });

  it("answers a readable error naming the app and field when its config is invalid", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "broken"), "broken", { "buntime.json": JSON.stringify({ ttl: "soon" }) });
    const res = await get("/broken/");
    expect(res.status).toBe(500);
    const { error } = await res.json();
    expect(error.code).toBe("BUNTIME_ERR_POOL_APP_CONFIG_INVALID");
    expect(error.message).toContain("broken@0.0.0");
    expect(error.message).toContain("buntime.json.ttl");
  });
});

/** A plugin that runs after the router and signs in whoever `x-test-user` names, as auth would. */
const signer: InlinePlugin = {
  packageJson: {
    name: "signer",
    version: "1.0.0",
    buntime: { kernel: "*", optionalDependencies: { "@buntime/plugin-router": "*" } },
  },
  plugin: definePlugin({
    setup: () => ({
      onRequest(request, context) {
        const username = request.headers.get("x-test-user");
        if (username) context.locals.user = { username, roles: ["dev", "ops"] };
      },
    }),
  }),
};

/** A plugin that runs after the router and answers `x-probe` requests with their `locals.app`. */
const probe: InlinePlugin = {
  packageJson: {
    name: "probe",
    version: "1.0.0",
    buntime: { kernel: "*", optionalDependencies: { "@buntime/plugin-router": "*" } },
  },
  plugin: definePlugin({
    setup: () => ({
      onRequest(request, context) {
        if (request.headers.has("x-probe")) return Response.json(context.locals.app ?? null);
      },
    }),
  }),
};

/** Writes an app whose worker answers with the user headers it received. */
function writeWhoAmI(dir: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "index.ts"),
    `export default { fetch: async (req) => Response.json({ user: req.headers.get("x-buntime-user"),
      roles: req.headers.get("x-buntime-roles"), body: req.body ? await req.text() : null }) };`,
  );
}

describe("the app in locals.app", () => {
  it("is put there for every later plugin: the app a path reaches, or nothing", async () => {
    const { get } = await start({ homepage: "welcome", plugins: [probe] });
    const located = async (path: string) => (await get(path, { headers: { "x-probe": "1" } })).json();
    expect(await located("/api@%5E1/users/7")).toMatchObject({ name: "api", rest: "/users/7" });
    expect(await located("/todo")).toMatchObject({ name: "todo", rest: "/" });
    expect(await located("/")).toMatchObject({ name: "welcome", rest: "/" });
    expect(await located("/.hidden/x")).toBeNull();
    expect(await located("/api@not-a-range/x")).toBeNull();
  });

  it("is nothing at / without a homepage", async () => {
    const { get } = await start({ plugins: [probe] });
    expect(await (await get("/", { headers: { "x-probe": "1" } })).json()).toBeNull();
  });
});

describe("the signed-in user, as apps see it", () => {
  it("reaches the app as x-buntime-user and x-buntime-roles, whatever the client sent", async () => {
    const { apps, get } = await start({ plugins: [signer] });
    writeWhoAmI(join(apps, "who"));
    const signed = await get("/who/", {
      headers: { "x-test-user": "ada", "x-buntime-user": "mallory", "x-buntime-roles": "admin" },
    });
    expect(await signed.json()).toEqual({ user: "ada", roles: "dev,ops", body: null });
  });

  it("drops the client's own x-buntime-user and x-buntime-roles when nobody is signed in", async () => {
    const { apps, get } = await start({ plugins: [signer] });
    writeWhoAmI(join(apps, "who"));
    const spoofed = await get("/who/", { headers: { "x-buntime-user": "mallory" } });
    expect(await spoofed.json()).toEqual({ user: null, roles: null, body: null });
    const onlyRoles = await get("/who/", { headers: { "x-buntime-roles": "admin" } });
    expect(await onlyRoles.json()).toEqual({ user: null, roles: null, body: null });
    const posted = await get("/who/", {
      method: "POST",
      body: "kept",
      headers: { "x-buntime-user": "mallory", "content-type": "text/plain" },
    });
    expect(await posted.json()).toEqual({ user: null, roles: null, body: "kept" });
  });

  it("refuses a WebSocket upgrade that carries the client's own user headers", async () => {
    const { apps, get } = await start();
    writeWhoAmI(join(apps, "who"));
    const response = await get("/who/", { headers: { upgrade: "websocket", "x-buntime-user": "mallory" } });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error).toEqual({
      code: "BUNTIME_ERR_BAD_REQUEST",
      message: "x-buntime-user and x-buntime-roles are set by the kernel, not sent by clients",
    });
  });
});

describe("what crosses the router", () => {
  it("streams a request body to the app and keeps method and headers", async () => {
    const { apps, get } = await start();
    mkdirSync(join(apps, "upload"), { recursive: true });
    writeFileSync(
      join(apps, "upload", "index.ts"),
      `export default { fetch: async (req) => Response.json({ method: req.method, type: req.headers.get("content-type"),
        bytes: (await req.arrayBuffer()).byteLength, proto: req.headers.get("x-forwarded-proto") }) };`,
    );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(i));
        controller.close();
      },
    });
    const res = await get("/upload/files", {
      method: "PUT",
      body,
      headers: { "content-type": "application/octet-stream" },
      duplex: "half",
    } as RequestInit);
    expect(await res.json()).toEqual({
      method: "PUT",
      type: "application/octet-stream",
      bytes: 8 * 64 * 1024,
      proto: "http",
    });
  });
});
