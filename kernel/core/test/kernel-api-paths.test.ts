/**
 * A kernel API request whose plugin name or version holds path segments is refused (400) and
 * loads or unloads nothing; `installedPluginDir` never resolves outside `<home>/plugins`.
 */
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { installedPluginDir } from "../src/plugins/lockfile.ts";
import {
  inlinePlugin,
  pluginPackage,
  SDK_MODULE,
  startTestKernel,
  withHooks,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

async function hostileKernel() {
  const started = await startTestKernel({
    plugins: [
      inlinePlugin("victim", { base: "/victim" }, withHooks({ fetch: () => new Response("victim") })),
    ],
  });
  const home = started.kernel.config.home;
  // a plugin outside <home>/plugins that a traversal would reach
  writePluginFolder(
    join(home, "evil"),
    pluginPackage("evil", { base: "/evil" }),
    `import { definePlugin } from ${SDK_MODULE};
export default definePlugin({ setup: () => ({ fetch: () => new Response("evil") }) });
`,
  );
  const headers = {
    authorization: `Bearer ${started.kernel.adminToken}`,
    "content-type": "application/json",
  };
  return { ...started, home, headers };
}

describe("hostile plugin names and versions in the kernel API", () => {
  it.each([
    ["evil", "../../evil"],
    ["evil", ".."],
    ["evil", "1.0.0/../../../evil"],
    ["evil", "..\\..\\evil"],
    ["evil", "1.0.0%2f..%2f..%2fevil"],
    ["../evil", "1.0.0"],
    ["@x/../../evil", "1.0.0"],
    ["a/b/c", "1.0.0"],
    ["/etc", "1.0.0"],
  ])("refuses to load %s version %s", async (name, version) => {
    const { request, headers } = await hostileKernel();
    const refused = await request("/_/api/plugins", {
      method: "POST",
      headers,
      body: JSON.stringify({ plugins: [{ name, version }] }),
    });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
    expect(error.message).toContain("naming plugins installed in this home");
    expect((await request("/evil")).status).toBe(404);
  });

  it.each([
    ["/_/api/plugins/a/b/c", 400, "BUNTIME_ERR_BAD_REQUEST"],
    ["/_/api/plugins/victim%2f..%2f..", 400, "BUNTIME_ERR_BAD_REQUEST"],
    ["/_/api/plugins/%2e%2e/%2e%2e/victim", 404, "BUNTIME_ERR_NOT_FOUND"],
  ])("refuses to unload through %s", async (path, status, code) => {
    const { request, headers } = await hostileKernel();
    const refused = await request(path, { method: "DELETE", headers });
    expect(refused.status).toBe(status);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(await (await request("/victim")).text()).toBe("victim");
  });
});

describe("installedPluginDir", () => {
  it("resolves a package name and an exact version inside <home>/plugins", () => {
    expect(installedPluginDir("/home/b", "@scope/name", "1.2.0-rc.1")).toBe(
      "/home/b/plugins/@scope/name/1.2.0-rc.1",
    );
  });

  it.each([
    ["x", ".."],
    ["x", "../../etc"],
    ["x", "1.0.0/.."],
    ["x", "/etc"],
    ["..", "1.0.0"],
    ["@s/../..", "1.0.0"],
    ["x/../../..", "1.0.0"],
  ])("refuses %s version %s with a coded error", (name, version) => {
    expect(() => installedPluginDir("/home/b", name, version)).toThrow(
      expect.objectContaining({ code: "BUNTIME_ERR_BAD_REQUEST" }),
    );
  });
});
