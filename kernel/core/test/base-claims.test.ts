/**
 * One owner per base: a plugin claiming a base another plugin has, or the path of an installed
 * app, is refused at load with BUNTIME_ERR_PLUGIN_BASE_TAKEN naming both, and nothing changes.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createKernel } from "../src/kernel.ts";
import { createTestKernel, type TestKernel } from "../src/testing/index.ts";
import {
  inlinePlugin,
  pluginPackage,
  SDK_MODULE,
  startTestKernel,
  tempDir,
  withHooks,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

/** Installs `name@1.0.0` at `base` into the home; it answers with its name. */
function install(home: string, name: string, base: string): void {
  const source = writePluginFolder(
    join(tempDir(), name),
    pluginPackage(name, { base }),
    `import { definePlugin } from ${SDK_MODULE};
export default definePlugin({ setup: (ctx) => ({ fetch: () => new Response(ctx.name) }) });
`,
  );
  const dest = join(home, "plugins", name, "1.0.0");
  mkdirSync(dest, { recursive: true });
  cpSync(source, dest, { recursive: true });
}

const answering = (text: string) => withHooks({ fetch: () => new Response(text) });

/** Posts a batch to the kernel API of a kernel reached by `request`, as the admin. */
function batch(request: (path: string, init?: RequestInit) => Promise<Response>, token: string) {
  return (names: string[]) =>
    request("/_/api/plugins", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ plugins: names.map((name) => ({ name, version: "1.0.0" })) }),
    });
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe("two plugins on one base", () => {
  it("refuses to start a kernel whose plugins claim the same base, naming both", async () => {
    const kernel = createKernel({
      config: { home: tempDir(), port: 0, hostname: "127.0.0.1" },
      plugins: [
        inlinePlugin("first", { base: "/shared" }, answering("first")),
        inlinePlugin("second", { base: "/shared" }, answering("second")),
      ],
      logSink: () => {},
    });
    await expect(kernel.start()).rejects.toMatchObject({
      code: "BUNTIME_ERR_PLUGIN_BASE_TAKEN",
      message: "second@1.0.0 cannot mount at /shared: first@1.0.0 already has it",
    });
    await kernel.stop();
  });

  it("refuses a batch whose plugin takes a running plugin's base; nothing of the batch loads", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [inlinePlugin("first", { base: "/shared" }, answering("first"))],
    });
    const home = kernel.config.home;
    install(home, "innocent", "/innocent");
    install(home, "squatter", "/shared");
    const refused = await batch(request, kernel.adminToken)(["innocent", "squatter"]);
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toEqual({
      code: "BUNTIME_ERR_PLUGIN_BASE_TAKEN",
      message: "squatter@1.0.0 cannot mount at /shared: first@1.0.0 already has it",
    });
    expect(await (await request("/shared")).text()).toBe("first");
    expect((await request("/innocent")).status).toBe(404);
    const listed = (await (await request("/_/api/plugins")).json()) as { plugins: { name: string }[] };
    expect(listed.plugins.map((plugin) => plugin.name)).toEqual(["first"]);
  });

  it("refuses a batch in which two plugins claim the same base", async () => {
    const { kernel, request } = await startTestKernel();
    install(kernel.config.home, "one", "/same");
    install(kernel.config.home, "two", "/same");
    const refused = await batch(request, kernel.adminToken)(["one", "two"]);
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toBe(
      "two@1.0.0 cannot mount at /same: one@1.0.0 already has it",
    );
    expect((await request("/same")).status).toBe(404);
  });

  it("lets a new version of a plugin keep its own base", async () => {
    const { kernel, request } = await startTestKernel();
    install(kernel.config.home, "again", "/again");
    expect((await batch(request, kernel.adminToken)(["again"])).status).toBe(201);
    expect((await batch(request, kernel.adminToken)(["again"])).status).toBe(201);
    expect(await (await request("/again")).text()).toBe("again");
  });
});

describe("a plugin base on an app's path", () => {
  let kernel: TestKernel | undefined;
  afterEach(async () => {
    await kernel?.stop();
    kernel = undefined;
  });

  it("is refused when the router has an app of that name; other bases load", async () => {
    kernel = await createTestKernel({
      plugins: [join(import.meta.dir, "..", "..", "..", "plugins", "router")],
    });
    mkdirSync(join(kernel.home, "apps", "notes"), { recursive: true });
    writeFileSync(
      join(kernel.home, "apps", "notes", "index.ts"),
      "export default { fetch: () => new Response('app') };",
    );
    install(kernel.home, "shadow", "/notes/api");
    install(kernel.home, "beside", "/beside");
    const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
    const post = batch((path, init) => (kernel as TestKernel).fetch(path, init), token);
    const refused = await post(["beside", "shadow"]);
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toEqual({
      code: "BUNTIME_ERR_PLUGIN_BASE_TAKEN",
      message: "shadow@1.0.0 cannot mount at /notes/api: app notes already has it",
    });
    expect((await kernel.fetch("/beside")).status).toBe(404);
    expect((await post(["beside"])).status).toBe(201);
    expect(await (await kernel.fetch("/beside")).text()).toBe("beside");
  }, 20_000);
});

describe("a plugin base on an app's path, at start", () => {
  it("costs that plugin and its dependents their start, naming both; the app and other plugins run", async () => {
    const home = tempDir();
    mkdirSync(join(home, "apps", "notes"), { recursive: true });
    writeFileSync(
      join(home, "apps", "notes", "index.ts"),
      "export default { fetch: () => new Response('the notes app') };",
    );
    let shadowStopped = false;
    const kernel = await createTestKernel({
      config: { home },
      plugins: [
        // listed before the router: the check waits until every plugin has started
        inlinePlugin(
          "shadow",
          { base: "/notes/api" },
          withHooks({
            fetch: () => new Response("shadow"),
            onShutdown: () => {
              shadowStopped = true;
            },
          }),
        ),
        inlinePlugin(
          "needs-shadow",
          { base: "/needs", dependencies: { shadow: "^1.0.0" } },
          answering("needs"),
        ),
        join(import.meta.dir, "..", "..", "..", "plugins", "router"),
        inlinePlugin("beside", { base: "/beside" }, answering("beside")),
      ],
    });
    try {
      const listed = (await (await kernel.fetch("/_/api/plugins")).json()) as {
        plugins: { name: string; error?: string }[];
      };
      const status = Object.fromEntries(listed.plugins.map((plugin) => [plugin.name, plugin.error]));
      expect(status).toEqual({
        "@buntime/plugin-router": undefined,
        beside: undefined,
        shadow: "shadow@1.0.0 cannot mount at /notes/api: app notes already has it",
        "needs-shadow": "dependency shadow failed to start",
      });
      expect(shadowStopped).toBe(true);
      expect(existsSync(join(home, "data", "shadow"))).toBe(false); // its empty data folder is gone too
      expect(kernel.logs.map((entry) => entry.message)).toContain(
        "plugin shadow@1.0.0 failed to start: shadow@1.0.0 cannot mount at /notes/api: app notes already has it",
      );
      expect(await (await kernel.fetch("/notes/api")).text()).toBe("the notes app");
      expect((await kernel.fetch("/needs")).status).toBe(404);
      expect(await (await kernel.fetch("/beside")).text()).toBe("beside");
    } finally {
      await kernel.stop();
    }
  }, 20_000);
});
