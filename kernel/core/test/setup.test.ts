import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { definePlugin } from "@buntime/sdk";
import {
  inlinePlugin,
  pluginPackage,
  startTestKernel,
  tempDir,
  withHooks,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

describe("setup", () => {
  it("runs once per load, and each load keeps its own state in the closure", async () => {
    let setups = 0;
    const counter = definePlugin({
      setup() {
        setups++;
        let served = 0;
        return { fetch: () => new Response(String(++served)) };
      },
    });
    const first = await startTestKernel({ plugins: [inlinePlugin("counter", { base: "/n" }, counter)] });
    const second = await startTestKernel({ plugins: [inlinePlugin("counter", { base: "/n" }, counter)] });
    expect(await (await first.request("/n")).text()).toBe("1");
    expect(await (await first.request("/n")).text()).toBe("2");
    expect(await (await second.request("/n")).text()).toBe("1");
    expect(setups).toBe(2);
  });

  it("may be async, and may return nothing", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "later",
          { base: "/later" },
          definePlugin({
            async setup() {
              await Bun.sleep(5);
              return { fetch: () => new Response("ready") };
            },
          }),
        ),
        inlinePlugin("quiet", {}, definePlugin({ setup() {} })),
      ],
    });
    expect(await (await request("/later")).text()).toBe("ready");
    expect(kernel.plugins().map((p) => p.status)).toEqual(["running", "running"]);
  });

  it("costs a plugin whose setup throws its start, and its dependents theirs, not the kernel's", async () => {
    const { kernel, logs, request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "bad",
          {},
          definePlugin({
            setup() {
              throw new Error("cannot open database");
            },
          }),
        ),
        inlinePlugin("needs-bad", { dependencies: { bad: "^1" } }, withHooks()),
        inlinePlugin("good", { base: "/good" }, withHooks({ fetch: () => new Response("ok") })),
      ],
    });
    const status = Object.fromEntries(kernel.plugins().map((p) => [p.name, p]));
    expect(status.bad).toMatchObject({ status: "failed", error: "bad setup failed: cannot open database" });
    expect(status["needs-bad"]).toMatchObject({ status: "failed", error: "dependency bad failed to start" });
    expect(status.good?.status).toBe("running");
    expect(logs.map((l) => l.message)).toContain(
      "plugin bad@1.0.0 failed to start: bad setup failed: cannot open database",
    );
    expect(await (await request("/good")).text()).toBe("ok");
  });

  it("fails a plugin whose setup hangs past the lifecycle timeout", async () => {
    const { kernel, request } = await startTestKernel({
      config: { lifecycleTimeout: 50 },
      plugins: [
        inlinePlugin("stuck", {}, definePlugin({ setup: () => new Promise(() => {}) })),
        inlinePlugin("fine", { base: "/fine" }, withHooks({ fetch: () => new Response("fine") })),
      ],
    });
    expect(kernel.plugins().find((p) => p.name === "stuck")).toMatchObject({
      status: "failed",
      error: "stuck setup timed out after 50 ms",
    });
    expect(await (await request("/fine")).text()).toBe("fine");
  });
});

describe("what setup returns", () => {
  it("refuses an unknown hook with BUNTIME_ERR_PLUGIN_UNKNOWN_HOOK naming the key, withdrawing the plugin's services", async () => {
    const { kernel, logs } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "typo",
          { provides: ["typo"] },
          definePlugin({
            setup(ctx) {
              ctx.services.provide("typo", { ok: true });
              return { onRequset: () => {} } as never;
            },
          }),
        ),
      ],
    });
    const message =
      "typo@1.0.0: unknown key 'onRequset' in the hooks setup returned (known: onRequest, onResponse, fetch, routes, onServerStart, onShutdown, onWorkerSpawn, onWorkerTerminate)";
    expect(kernel.plugins()).toMatchObject([{ name: "typo", status: "failed", error: message }]);
    expect(logs.map((line) => line.message)).toContain(`plugin typo@1.0.0 failed to start: ${message}`);
    expect(() => kernel.service("typo")).toThrow("no loaded plugin provides it");
  });

  it("refuses an unknown hook on a hot load, with the code as the cause", async () => {
    const { kernel } = await startTestKernel();
    const dir = writePluginFolder(
      join(tempDir(), "typo"),
      pluginPackage("typo"),
      "export default { setup: () => ({ onInit() {} }) };",
    );
    const loading = kernel.load(dir);
    await expect(loading).rejects.toMatchObject({
      code: "BUNTIME_ERR_PLUGIN_START_FAILED",
      cause: { code: "BUNTIME_ERR_PLUGIN_UNKNOWN_HOOK" },
    });
    await expect(loading).rejects.toThrow("typo@1.0.0: unknown key 'onInit' in the hooks setup returned");
    expect(kernel.plugins()).toEqual([]);
  });

  it.each([
    { case: "a number", returned: 42, message: "setup must return an object of hooks, or nothing" },
    {
      case: "a hook that is no function",
      returned: { onRequest: "yes" },
      message: "onRequest must be a function",
    },
    {
      case: "routes that are no Hono app",
      returned: { routes: { get: 1 } },
      message: "routes must be a Hono app",
    },
  ])("refuses $case with BUNTIME_ERR_PLUGIN_ENTRY_INVALID", async ({ returned, message }) => {
    const { kernel } = await startTestKernel({
      plugins: [inlinePlugin("odd", { base: "/odd" }, definePlugin({ setup: () => returned as never }))],
    });
    expect(kernel.plugins()).toMatchObject([{ status: "failed", error: `odd@1.0.0: ${message}` }]);
  });

  it("refuses fetch or routes from a plugin without a base", async () => {
    const { kernel } = await startTestKernel({
      plugins: [inlinePlugin("lost", {}, withHooks({ fetch: () => new Response("x") }))],
    });
    expect(kernel.plugins()).toMatchObject([
      {
        status: "failed",
        error: "lost@1.0.0: fetch and routes need a base in the manifest (buntime.base)",
      },
    ]);
  });
});
