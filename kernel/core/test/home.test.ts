import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installedPluginDir, lockfilePath } from "@buntime/kernel";
import {
  pluginPackage,
  SDK_MODULE,
  startTestKernel,
  tempDir,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

function install(home: string, name: string, version: string, manifest: object = {}) {
  writePluginFolder(
    installedPluginDir(home, name, version),
    pluginPackage(name, { base: `/${name.replace(/^@[^/]+\//, "")}`, ...manifest }, version),
    `import { definePlugin } from ${SDK_MODULE};
export default definePlugin({ setup: () => ({ fetch: () => new Response("${name}@${version}") }) });`,
  );
}

function writeLock(home: string, plugins: Record<string, string>) {
  mkdirSync(join(home, "plugins"), { recursive: true });
  const entries = Object.fromEntries(Object.entries(plugins).map(([name, version]) => [name, { version }]));
  writeFileSync(lockfilePath(home), JSON.stringify({ lockfileVersion: 1, plugins: entries }));
}

describe("plugins installed in the home", () => {
  it("loads the versions pinned in plugins/lock.json, not the others installed beside them", async () => {
    const home = tempDir();
    install(home, "@acme/notes", "1.0.0");
    install(home, "@acme/notes", "2.0.0");
    install(home, "tasks", "0.3.1", { dependencies: { "@acme/notes": "^2" } });
    writeLock(home, { "@acme/notes": "2.0.0", tasks: "0.3.1" });
    const { kernel, request } = await startTestKernel({ config: { home } });
    expect(kernel.plugins().map((p) => `${p.name}@${p.version}`)).toEqual([
      "@acme/notes@2.0.0",
      "tasks@0.3.1",
    ]);
    expect(await (await request("/notes")).text()).toBe("@acme/notes@2.0.0");
    expect(await (await request("/tasks")).text()).toBe("tasks@0.3.1");
  });

  it("lends installed plugins the kernel's sdk, hono and zod, imported by bare name", async () => {
    const home = tempDir();
    writePluginFolder(
      installedPluginDir(home, "@acme/bare", "1.0.0"),
      pluginPackage("@acme/bare", { base: "/bare" }),
      `import { definePlugin } from "@buntime/sdk";
import { Hono } from "hono";
import { z } from "zod";
export default definePlugin({
  config: z.object({ word: z.string().default("bare") }),
  setup: (ctx) => ({ routes: new Hono().get("/", (c) => c.text("imports resolved: " + ctx.config.word)) }),
});`,
    );
    writeLock(home, { "@acme/bare": "1.0.0" });
    const { request } = await startTestKernel({ config: { home } });
    expect(await (await request("/bare")).text()).toBe("imports resolved: bare");
  });

  it("loads development folders beside installed plugins, scoped ones too", async () => {
    const dev = tempDir();
    writePluginFolder(
      join(dev, "@dev", "hello"),
      pluginPackage("@dev/hello", { base: "/hello" }),
      `export default { setup: () => ({ fetch: () => new Response("dev") }) };`,
    );
    writeFileSync(join(dev, "not-a-plugin.txt"), "");
    mkdirSync(join(dev, "library"));
    writeFileSync(
      join(dev, "library", "package.json"),
      JSON.stringify({ name: "library", version: "1.0.0" }),
    );
    const { kernel, request } = await startTestKernel({ config: { pluginDirs: [dev] } });
    expect(kernel.plugins().map((p) => p.name)).toEqual(["@dev/hello"]);
    expect(await (await request("/hello")).text()).toBe("dev");
  });

  it("names the lockfile and field when the lockfile is invalid", async () => {
    const home = tempDir();
    mkdirSync(join(home, "plugins"));
    writeFileSync(
      lockfilePath(home),
      JSON.stringify({ lockfileVersion: 1, plugins: { auth: { version: 3 } } }),
    );
    await expect(startTestKernel({ config: { home } })).rejects.toThrow(
      `${lockfilePath(home)}: invalid configuration: plugins.auth.version: Invalid input: expected string, received number`,
    );
  });

  it("names the folder when a pinned plugin is not installed", async () => {
    const home = tempDir();
    writeLock(home, { ghost: "1.0.0" });
    await expect(startTestKernel({ config: { home } })).rejects.toThrow(
      `${installedPluginDir(home, "ghost", "1.0.0")}/package.json: invalid plugin manifest: package.json is missing`,
    );
  });

  it("names the plugin when its entry fails to import", async () => {
    const dev = tempDir();
    writePluginFolder(join(dev, "crashy"), pluginPackage("crashy"), `throw new Error("bad top level");`);
    await expect(startTestKernel({ config: { pluginDirs: [dev] } })).rejects.toThrow(
      `crashy@1.0.0: importing ${join(dev, "crashy", "index.ts")} failed: bad top level`,
    );
  });
});

describe("installed plugins beside development folders", () => {
  it("loads both, the installed version winning over a development folder of the same plugin", async () => {
    const home = tempDir();
    install(home, "tasks", "2.0.0");
    writeLock(home, { tasks: "2.0.0" });
    const dev = tempDir();
    writePluginFolder(
      join(dev, "tasks"),
      pluginPackage("tasks", { base: "/tasks" }, "1.0.0"),
      `export default { setup: () => ({ fetch: () => new Response("dev tasks") }) };`,
    );
    writePluginFolder(
      join(dev, "notes"),
      pluginPackage("notes", { base: "/notes" }),
      `export default { setup: () => ({ fetch: () => new Response("dev notes") }) };`,
    );
    const { kernel, request } = await startTestKernel({ config: { home, pluginDirs: [dev] } });
    expect(
      kernel
        .plugins()
        .map((p) => `${p.name}@${p.version}`)
        .sort(),
    ).toEqual(["notes@1.0.0", "tasks@2.0.0"]);
    expect(await (await request("/tasks")).text()).toBe("tasks@2.0.0");
    expect(await (await request("/notes")).text()).toBe("dev notes");
  });
});
