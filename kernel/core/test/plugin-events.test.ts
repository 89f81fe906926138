import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { definePlugin, type KernelPlugins, type PluginEvent } from "@buntime/sdk";
import {
  inlinePlugin,
  pluginPackage,
  startTestKernel,
  tempDir,
  withHooks,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

/** A `clock` plugin folder at `version`. */
function clockFolder(version: string): string {
  return writePluginFolder(
    join(tempDir(), `clock-${version}`),
    pluginPackage("clock", { base: "/clock" }, version),
    `export default { setup: () => ({ fetch: () => new Response("clock ${version}") }) };`,
  );
}

/** A plugin consuming `kernel:plugins` that hands the service out and records what its subscription hears. */
function watcher(events: PluginEvent[]) {
  const watching: { plugins?: KernelPlugins; stop?: () => void } = {};
  const plugin = inlinePlugin(
    "watcher",
    { consumes: ["kernel:plugins"] },
    definePlugin({
      setup(ctx) {
        watching.plugins = ctx.services.get("kernel:plugins");
        watching.stop = watching.plugins.subscribe((event) => events.push(event));
      },
    }),
  );
  return { plugin, watching };
}

describe("kernel:plugins", () => {
  it("lists every plugin, running or failed, with its manifest's services and dependencies", async () => {
    const { plugin, watching } = watcher([]);
    await startTestKernel({
      plugins: [
        plugin,
        inlinePlugin("store", { base: "/store", provides: ["store"] }, withHooks()),
        inlinePlugin(
          "broken",
          { dependencies: { store: "^1" } },
          definePlugin({
            setup() {
              throw new Error("no disk");
            },
          }),
        ),
      ],
    });
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(watching.plugins?.list().sort(byName)).toEqual([
      {
        name: "broken",
        version: "1.0.0",
        status: "failed",
        error: "broken setup failed: no disk",
        provides: [],
        dependencies: { store: "^1" },
      },
      {
        name: "store",
        version: "1.0.0",
        base: "/store",
        status: "running",
        provides: ["store"],
        dependencies: {},
      },
      { name: "watcher", version: "1.0.0", status: "running", provides: [], dependencies: {} },
    ]);
  });

  it("tells subscribers of loads, replacements and unloads, until they unsubscribe", async () => {
    const events: PluginEvent[] = [];
    const { plugin, watching } = watcher(events);
    const { kernel } = await startTestKernel({ plugins: [plugin] });
    await kernel.load(clockFolder("1.0.0"));
    expect(watching.plugins?.list().map((p) => `${p.name}@${p.version}`)).toContain("clock@1.0.0");
    await kernel.replace(clockFolder("1.1.0"));
    await kernel.unload("clock");
    expect(events).toEqual([
      {
        type: "loaded",
        plugin: expect.objectContaining({
          name: "clock",
          version: "1.0.0",
          base: "/clock",
          status: "running",
        }),
      },
      {
        type: "replaced",
        plugin: expect.objectContaining({ name: "clock", version: "1.1.0", status: "running" }),
        previous: "1.0.0",
      },
      { type: "unloaded", name: "clock", version: "1.1.0" },
    ]);
    watching.stop?.();
    await kernel.load(clockFolder("1.0.0"));
    expect(events).toHaveLength(3);
  });

  it("keeps telling the other subscribers, and loading, when a listener throws", async () => {
    const events: PluginEvent[] = [];
    const { plugin } = watcher(events);
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "clumsy",
          { consumes: ["kernel:plugins"] },
          definePlugin({
            setup(ctx) {
              ctx.services.get("kernel:plugins").subscribe(() => {
                throw new Error("clumsy listener");
              });
            },
          }),
        ),
        plugin,
      ],
    });
    expect(await kernel.load(clockFolder("1.0.0"))).toMatchObject({ name: "clock", status: "running" });
    expect(events.map((event) => event.type)).toEqual(["loaded"]);
  });

  it("ends the subscriptions a plugin forgot to end when it unloads", async () => {
    const events: PluginEvent[] = [];
    const { plugin } = watcher(events);
    const { kernel } = await startTestKernel({ plugins: [plugin] });
    await kernel.unload("watcher");
    await kernel.load(clockFolder("1.0.0"));
    // its own unload is the last news it hears
    expect(events).toEqual([{ type: "unloaded", name: "watcher", version: "1.0.0" }]);
  });

  it("ends the subscriptions of a plugin whose setup fails after subscribing", async () => {
    const events: PluginEvent[] = [];
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "quitter",
          { consumes: ["kernel:plugins"] },
          definePlugin({
            setup(ctx) {
              ctx.services.get("kernel:plugins").subscribe((event) => events.push(event));
              throw new Error("gave up");
            },
          }),
        ),
      ],
    });
    expect(kernel.plugins()).toMatchObject([{ name: "quitter", status: "failed" }]);
    await kernel.load(clockFolder("1.0.0"));
    expect(events).toEqual([]);
  });
});
