import { describe, expect, it } from "bun:test";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  inlinePlugin,
  pluginPackage,
  SDK_MODULE,
  slowFetchSource,
  startTestKernel,
  tempDir,
  withHooks,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

/** A plugin folder whose entry answers at `base` and records lifecycle calls on globalThis. */
function greeterFolder(dir: string, name: string, version = "1.0.0", manifest: object = {}): string {
  return writePluginFolder(
    dir,
    pluginPackage(name, { base: `/${name}`, ...manifest }, version),
    `import { definePlugin } from ${SDK_MODULE};
const calls = (globalThis.hotLoadCalls ??= []);
export default definePlugin({
  setup(ctx) {
    calls.push("setup:" + ctx.name + "@" + ctx.version);
    return {
      onShutdown: () => void calls.push("shutdown:" + ctx.name),
      ${slowFetchSource(`hello from ${name}@${version}`)}
    };
  },
});
`,
  );
}

const calls = () => ((globalThis as { hotLoadCalls?: string[] }).hotLoadCalls ??= []);

describe("hot load and unload", () => {
  it("loads a plugin folder while running, then unloads it", async () => {
    const { kernel, request } = await startTestKernel();
    calls().length = 0;
    expect((await request("/greeter")).status).toBe(404);
    const status = await kernel.load(greeterFolder(join(tempDir(), "greeter"), "greeter"));
    expect(status).toMatchObject({ name: "greeter", version: "1.0.0", status: "running", base: "/greeter" });
    expect(await (await request("/greeter")).text()).toBe("hello from greeter@1.0.0");
    await kernel.unload("greeter");
    expect((await request("/greeter")).status).toBe(404);
    expect(calls()).toEqual(["setup:greeter@1.0.0", "shutdown:greeter"]);
  });

  it("lets requests in flight finish before onShutdown runs", async () => {
    const { kernel, request } = await startTestKernel();
    calls().length = 0;
    await kernel.load(greeterFolder(join(tempDir(), "slowpoke"), "slowpoke"));
    const inflight = request("/slowpoke?wait=200");
    await Bun.sleep(20);
    const unloading = kernel.unload("slowpoke");
    await Bun.sleep(20);
    expect((await request("/slowpoke")).status).toBe(404); // new requests no longer see it
    const res = await inflight;
    expect(await res.text()).toBe("hello from slowpoke@1.0.0");
    await unloading;
    expect(calls()).toEqual(["setup:slowpoke@1.0.0", "shutdown:slowpoke"]);
  });

  it("refuses to unload a plugin another one depends on", async () => {
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin("storage", {}, withHooks()),
        inlinePlugin("auth", { dependencies: { storage: "^1" } }, withHooks()),
      ],
    });
    await expect(kernel.unload("storage")).rejects.toThrow("storage is needed by auth");
    await expect(kernel.unload("ghost")).rejects.toThrow("ghost is not loaded");
  });

  it("refuses to hot-load a plugin whose dependency is not loaded, leaving the kernel as it was", async () => {
    const { kernel } = await startTestKernel();
    const dir = greeterFolder(join(tempDir(), "needy"), "needy", "1.0.0", {
      dependencies: { storage: "^2" },
    });
    await expect(kernel.load(dir)).rejects.toThrow("needy@1.0.0 -> storage@^2 : not installed");
    expect(kernel.plugins()).toEqual([]);
  });

  it("loads and unloads installed plugins through the kernel API with the admin token", async () => {
    const { kernel, request } = await startTestKernel();
    const installed = join(kernel.config.home, "plugins", "@acme", "hello", "2.0.0");
    mkdirSync(installed, { recursive: true });
    cpSync(greeterFolder(join(tempDir(), "src"), "hello", "2.0.0"), installed, { recursive: true });
    const auth = { authorization: `Bearer ${kernel.adminToken}`, "content-type": "application/json" };
    // the folder's package is named "hello": load by the name it is installed under
    const body = JSON.stringify({ plugins: [{ name: "@acme/hello", version: "2.0.0" }] });

    const anonymous = await request("/_/api/plugins", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe("BUNTIME_ERR_UNAUTHORIZED");
    const wrongToken = await request("/_/api/plugins", {
      method: "POST",
      body,
      headers: { ...auth, authorization: "Bearer nope" },
    });
    expect(wrongToken.status).toBe(401);

    const loaded = await request("/_/api/plugins", { method: "POST", body, headers: auth });
    expect(loaded.status).toBe(201);
    expect(await loaded.json()).toMatchObject({
      plugins: [{ name: "hello", version: "2.0.0", status: "running" }],
    });
    expect(await (await request("/hello")).text()).toBe("hello from hello@2.0.0");

    expect((await request("/_/api/plugins/hello", { method: "DELETE" })).status).toBe(401);
    expect((await request("/_/api/plugins/hello", { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await request("/hello")).status).toBe(404);
    const again = await request("/_/api/plugins/hello", { method: "DELETE", headers: auth });
    expect(again.status).toBe(404);
    expect((await again.json()).error.code).toBe("BUNTIME_ERR_PLUGIN_NOT_LOADED");
  });

  it("answers 400 to a load request that names no plugins", async () => {
    const { kernel, request } = await startTestKernel();
    const res = await request("/_/api/plugins", {
      method: "POST",
      body: "{}",
      headers: { authorization: `Bearer ${kernel.adminToken}` },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
  });
});
