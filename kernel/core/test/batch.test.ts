import { describe, expect, it } from "bun:test";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  pluginPackage,
  SDK_MODULE,
  startTestKernel,
  tempDir,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

const calls = () => ((globalThis as { batchCalls?: string[] }).batchCalls ??= []);

/** Installs `name@1.0.0` into the home; its setup records itself, and throws when `broken`. */
function install(home: string, name: string, manifest: object = {}, broken = false): void {
  const source = writePluginFolder(
    join(tempDir(), name),
    pluginPackage(name, { base: `/${name}`, ...manifest }),
    `import { definePlugin } from ${SDK_MODULE};
const calls = (globalThis.batchCalls ??= []);
export default definePlugin({
  setup(ctx) {
    calls.push("setup:" + ctx.name);
    ${broken ? 'throw new Error("broken on purpose");' : ""}
    return { onShutdown: () => void calls.push("shutdown:" + ctx.name), fetch: () => new Response(ctx.name) };
  },
});
`,
  );
  const dest = join(home, "plugins", name, "1.0.0");
  mkdirSync(dest, { recursive: true });
  cpSync(source, dest, { recursive: true });
}

async function batchKernel() {
  const started = await startTestKernel();
  const home = started.kernel.config.home;
  const headers = {
    authorization: `Bearer ${started.kernel.adminToken}`,
    "content-type": "application/json",
  };
  const post = (path: string, body: object) =>
    started.request(path, { method: "POST", headers, body: JSON.stringify(body) });
  const names = async () =>
    ((await (await started.request("/_/api/plugins")).json()).plugins as { name: string }[]).map(
      (p) => p.name,
    );
  return { ...started, home, post, names };
}

describe("the kernel API's batches", () => {
  it("loads a batch in dependency order whatever order it names the plugins in", async () => {
    const { home, post, request } = await batchKernel();
    install(home, "base");
    install(home, "top", { dependencies: { base: "^1.0.0" } });
    calls().length = 0;
    const loaded = await post("/_/api/plugins", {
      plugins: [
        { name: "top", version: "1.0.0" },
        { name: "base", version: "1.0.0" },
      ],
    });
    expect(loaded.status).toBe(201);
    expect(calls()).toEqual(["setup:base", "setup:top"]);
    expect(await (await request("/top")).text()).toBe("top");
  });

  it("loads none of a batch when one plugin fails, stopping those that started and removing the data folders it made", async () => {
    const { home, post, names } = await batchKernel();
    install(home, "fine");
    install(home, "broken", { dependencies: { fine: "^1.0.0" } }, true);
    calls().length = 0;
    const refused = await post("/_/api/plugins", {
      plugins: [
        { name: "fine", version: "1.0.0" },
        { name: "broken", version: "1.0.0" },
      ],
    });
    expect(refused.status).toBe(500);
    const { error } = await refused.json();
    expect(error.code).toBe("BUNTIME_ERR_PLUGIN_START_FAILED");
    expect(error.message).toContain("broken@1.0.0");
    expect(calls()).toEqual(["setup:fine", "setup:broken", "shutdown:fine"]);
    expect(await names()).toEqual([]);
    expect(existsSync(join(home, "data", "fine"))).toBe(false);
    expect(existsSync(join(home, "data", "broken"))).toBe(false);
  });

  it("unloads a batch dependents first, and refuses one that would strand a dependent", async () => {
    const { home, post, names } = await batchKernel();
    install(home, "base");
    install(home, "top", { dependencies: { base: "^1.0.0" } });
    await post("/_/api/plugins", {
      plugins: [
        { name: "base", version: "1.0.0" },
        { name: "top", version: "1.0.0" },
      ],
    });
    calls().length = 0;
    const stranding = await post("/_/api/plugins/unload", { names: ["base"] });
    expect(stranding.status).toBe(409);
    expect((await stranding.json()).error.code).toBe("BUNTIME_ERR_PLUGIN_IN_USE");
    expect(await names()).toEqual(["base", "top"]);
    expect((await post("/_/api/plugins/unload", { names: ["base", "top"] })).status).toBe(204);
    await Bun.sleep(50); // the kernel API answers once the plugins are out; they stop right after
    expect(calls()).toEqual(["shutdown:top", "shutdown:base"]);
    expect(await names()).toEqual([]);
    expect(existsSync(join(home, "data", "top"))).toBe(false); // left empty, so removed
  });

  it("answers 400 to an unload batch that names nothing", async () => {
    const { post } = await batchKernel();
    const refused = await post("/_/api/plugins/unload", { names: [] });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
  });
});
