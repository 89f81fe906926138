/**
 * Isolated plugins through the whole kernel: a plugin whose manifest says `mode: "isolated"` is
 * never imported by the kernel; its base forwards to the pool, where its setup runs apart from
 * the kernel, with its config, only its declared variables and (in the process tier) only its
 * declared hosts, and the services it declared, called across the boundary (its keyval scoped to
 * its own namespace). What the pool cannot give it (providing services, a ui folder) is refused
 * at start, naming what.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import type { InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { cleanUp, get, openTempDir, startKernel, writePlugin } from "./support.ts";

afterEach(cleanUp);
const SANDBOX_MISSING = skipWithoutSandbox();
const isolated = (manifest: Record<string, unknown> = {}) => ({
  base: "/notes",
  mode: "isolated",
  ...manifest,
});

describe("an isolated plugin in the thread tier", () => {
  const threaded = { pluginPolicy: { isolation: "thread" as const } };

  it("answers under its base with its config, sees paths below its base, and shows as isolated", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(home, "notes", isolated());
    const { kernel, url } = await startKernel({ home, ...threaded, plugins: { notes: { greeting: "hi" } } }, [
      dir,
    ]);
    const { status, body } = await get(url, "/notes/list?x=1", { headers: { "x-buntime-user": "forged" } });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: "notes",
      config: { greeting: "hi" },
      pathname: "/list",
      search: "?x=1",
    });
    // the worker's context, not the kernel's (which would name <home>/apps)
    expect(body.appsDir).toBe("");
    // a client's own identity header never reaches it
    expect(body.user).toBeNull();
    // the path below its base is taken from the canonical path the base matched, not the raw one
    const encoded = await get(url, "/%6eotes/./a/../list");
    expect(encoded.body.pathname).toBe("/list");
    const listed = await get(url, "/_/api/plugins");
    expect(listed.body.plugins).toContainEqual(
      expect.objectContaining({ name: "notes", status: "running", mode: "isolated", base: "/notes" }),
    );
    expect(kernel.pool.stats().apps["plugin:notes@1.0.0"]?.isolation).toBe("thread");
  });

  it("gets the verified identity, and not the credentials a plugin consumed", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(home, "notes", isolated());
    const signIn: InlinePlugin = {
      packageJson: { name: "fake-auth", version: "1.0.0", buntime: { kernel: ">=0.1.0" } },
      plugin: definePlugin({
        setup: () => ({
          onRequest(_request, context) {
            context.locals.user = { username: "ada", roles: ["admin", "ops"] };
            context.locals.credentials = { headers: ["authorization"], cookies: ["sid"] };
          },
        }),
      }),
    };
    const { url } = await startKernel({ home, ...threaded }, [dir, signIn]);
    const { body } = await get(url, "/notes/", {
      headers: { authorization: "Bearer secret", cookie: "sid=secret; theme=dark" },
    });
    expect(body).toMatchObject({
      user: "ada",
      roles: "admin,ops",
      authorization: null,
      cookie: "theme=dark",
    });
  });

  it("gets only the variables it declares, never the kernel's BUNTIME_* ones", async () => {
    process.env.NOTES_TOKEN = "declared-value";
    process.env.NOTES_OTHER = "undeclared-value";
    try {
      const home = openTempDir("buntime-iso-");
      const dir = writePlugin(
        home,
        "notes",
        isolated({ permissions: { env: ["NOTES_TOKEN", "NOTES_MISSING"] } }),
      );
      const { url } = await startKernel({ home, ...threaded }, [dir]);
      const { body } = await get(url, "/notes/");
      expect(body.env).toEqual({ NOTES_TOKEN: "declared-value" });
    } finally {
      delete process.env.NOTES_TOKEN;
      delete process.env.NOTES_OTHER;
    }
  });

  it("calls the keyval service it declared, seeing only its own namespace", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(
      home,
      "notes",
      isolated({ consumes: ["keyval"], permissions: { storage: true } }),
    );
    const kept = new Map<string, unknown>();
    const store = (prefix: string): unknown => ({
      namespace: (name: string) => store(`${prefix}${name}/`),
      set: async (key: string, value: unknown) => {
        kept.set(`${prefix}${key}`, value);
        return { ok: true };
      },
      get: async (key: string) =>
        kept.has(`${prefix}${key}`) ? { value: kept.get(`${prefix}${key}`) } : null,
    });
    const keyval: InlinePlugin = {
      packageJson: {
        name: "fake-storage",
        version: "1.0.0",
        buntime: { kernel: ">=0.1.0", provides: ["keyval"] },
      },
      plugin: definePlugin({
        setup(ctx) {
          ctx.services.provide("keyval", store("") as never);
        },
      }),
    };
    const { url } = await startKernel({ home, ...threaded }, [keyval, dir]);
    expect((await get(url, "/notes/?kv=remembered")).body.kv).toBe("remembered");
    expect([...kept.keys()]).toEqual(["plugin/notes/k"]);
  });

  it("refuses a manifest that declares a kernel variable", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(home, "notes", isolated({ permissions: { env: ["BUNTIME_ADMIN_TOKEN"] } }));
    const { kernel } = await startKernel({ home, ...threaded }, [dir]);
    const [status] = kernel.plugins();
    expect(status).toMatchObject({ name: "notes", status: "failed" });
    expect(status?.error).toContain(
      "kernel variables never reach an isolated plugin (permissions.env: BUNTIME_ADMIN_TOKEN)",
    );
  });

  it("is unloaded and replaced like any plugin", async () => {
    const home = openTempDir("buntime-iso-");
    const v1 = writePlugin(join(home, "v1"), "notes", isolated());
    const v2 = writePlugin(join(home, "v2"), "notes", isolated(), { version: "2.0.0" });
    const { kernel, url } = await startKernel({ home, ...threaded }, [v1]);
    expect((await get(url, "/notes/")).body.version).toBe("1.0.0");
    await kernel.replace(v2);
    expect((await get(url, "/notes/")).body.version).toBe("2.0.0");
    await kernel.unload("notes");
    expect((await get(url, "/notes/")).status).toBe(404);
    expect(kernel.plugins()).toEqual([]);
  });

  it.each([
    [{ provides: ["keyval"] }, "an isolated plugin cannot provide services (provides: keyval)"],
    [{ permissions: { storage: true } }, "permissions.storage needs the keyval service in consumes"],
    [{ base: undefined }, "an isolated plugin needs a base (buntime.base)"],
  ])("refuses %j at load, naming it, and changes nothing", async (extra, message) => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(home, "notes", isolated(extra));
    const { kernel } = await startKernel({ home, ...threaded });
    const loading = kernel.load(dir);
    await expect(loading).rejects.toThrow(message);
    await expect(loading).rejects.toThrow("notes@1.0.0 cannot run isolated");
    expect(kernel.plugins()).toEqual([]);
  });

  it("refuses an isolated plugin passed in code: only a folder's entry can run in the pool", async () => {
    const inline: InlinePlugin = {
      packageJson: { name: "notes", version: "1.0.0", buntime: { kernel: ">=0.1.0", ...isolated() } },
      plugin: definePlugin({ setup: () => ({}) }),
    };
    await expect(startKernel({ home: openTempDir("buntime-iso-") }, [inline])).rejects.toThrow(
      "notes@1.0.0 cannot run isolated: an isolated plugin is loaded from its folder",
    );
  });

  it("refuses a pipeline hook when the worker loads it, naming the hook, with 502", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(home, "notes", isolated(), { hook: "onRequest" });
    const { url } = await startKernel({ home, ...threaded }, [dir]);
    const { status, text } = await get(url, "/notes/");
    expect(status).toBe(502);
    expect(text).toContain("the onRequest hook is not available to an isolated plugin");
  });
});

describe("an isolated plugin where no sandbox can be made", () => {
  it("fails to start with the reason, and never falls back to the thread tier", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(home, "notes", isolated());
    const { kernel, url } = await startKernel({ home, isolation: { bwrap: join(home, "no-bwrap") } }, [dir]);
    const [status] = kernel.plugins();
    expect(status).toMatchObject({ name: "notes", status: "failed", mode: "isolated" });
    expect(status?.error).toContain(
      "notes@1.0.0 cannot run isolated: it runs isolated in the process tier, which cannot run here",
    );
    expect(status?.error).toContain("the process-tier sandbox cannot be created");
    expect((await get(url, "/notes/")).status).toBe(404);
    expect(kernel.pool.stats().apps).toEqual({});
  });
});

describe.skipIf(SANDBOX_MISSING)("an isolated plugin in the process tier (the default)", () => {
  it("runs in a sandboxed process of its own that cannot read the kernel's admin token", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(join(home, "src"), "notes", isolated());
    const { kernel, url } = await startKernel({ home, plugins: { notes: { greeting: "boxed" } } }, [dir]);
    // readable by anyone on purpose: only the sandbox's view of the file system may keep it out
    const tokenFile = join(home, "admin-token");
    chmodSync(tokenFile, 0o644);
    const { status, body } = await get(url, `/notes/?read=${encodeURIComponent(tokenFile)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "notes", config: { greeting: "boxed" }, pathname: "/" });
    expect(body.pid).not.toBe(process.pid);
    expect(String(body.read)).toStartWith("refused");
    expect(String(body.read)).not.toContain(kernel.adminToken);
    expect(kernel.pool.stats().apps["plugin:notes@1.0.0"]?.isolation).toBe("process");
  });

  it("stays in the process tier when the kernel's isolation.minimum says so, whatever pluginPolicy says", async () => {
    const home = openTempDir("buntime-iso-");
    const dir = writePlugin(home, "notes", isolated());
    const config = {
      home,
      isolation: { minimum: "process" as const },
      pluginPolicy: { isolation: "thread" as const },
    };
    const { kernel, url } = await startKernel(config, [dir]);
    expect((await get(url, "/notes/")).body.pid).not.toBe(process.pid);
    expect(kernel.pool.stats().apps["plugin:notes@1.0.0"]?.isolation).toBe("process");
  });

  it("gets only the variables it declares", async () => {
    process.env.NOTES_TOKEN = "declared-value";
    process.env.NOTES_OTHER = "undeclared-value";
    try {
      const home = openTempDir("buntime-iso-");
      const dir = writePlugin(home, "notes", isolated({ permissions: { env: ["NOTES_TOKEN"] } }));
      const { url } = await startKernel({ home }, [dir]);
      const env = (await get(url, "/notes/")).body.env as Record<string, string>;
      expect(env.NOTES_TOKEN).toBe("declared-value");
      expect(env.NOTES_OTHER).toBeUndefined();
      expect(Object.keys(env).filter((name) => name.startsWith("BUNTIME_"))).toEqual([]);
    } finally {
      delete process.env.NOTES_TOKEN;
      delete process.env.NOTES_OTHER;
    }
  });

  it("reaches a host it declares, and no other", async () => {
    const allowed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
    const denied = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("leak") });
    try {
      const home = openTempDir("buntime-iso-");
      const dir = writePlugin(
        home,
        "notes",
        isolated({ permissions: { network: [`127.0.0.1:${allowed.port}`] } }),
      );
      const { url } = await startKernel({ home }, [dir]);
      const reach = async (port: number | undefined) =>
        (await get(url, `/notes/?reach=${encodeURIComponent(`http://127.0.0.1:${port}/`)}`)).body.reach;
      expect(await reach(allowed.port)).toBe(200);
      expect(await reach(denied.port)).not.toBe(200);
    } finally {
      allowed.stop(true);
      denied.stop(true);
    }
  });
});
