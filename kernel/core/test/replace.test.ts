import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { definePlugin } from "@buntime/sdk";
import {
  inlinePlugin,
  pluginPackage,
  SDK_MODULE,
  slowFetchSource,
  startTestKernel,
  tempDir,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

/** A `clock` plugin version whose service and route answer its version; `failSetup` breaks its start. */
function clockFolder(version: string, options: { failSetup?: boolean } = {}): string {
  return writePluginFolder(
    join(tempDir(), `clock-${version}`),
    pluginPackage("clock", { base: "/clock", provides: ["clock"] }, version),
    `import { definePlugin } from ${SDK_MODULE};
export default definePlugin({
  setup(ctx) {
    ${options.failSetup ? 'throw new Error("cannot start");' : ""}
    ctx.services.provide("clock", { version: () => "${version}" });
    return {
      ${slowFetchSource(`clock ${version}`)}
    };
  },
});`,
  );
}

const reader = inlinePlugin(
  "reader",
  { base: "/reader", consumes: ["clock"] },
  definePlugin({
    setup(ctx) {
      // looked up per request: the service is whichever clock version runs now
      return { fetch: () => new Response((ctx.services.get("clock") as { version(): string }).version()) };
    },
  }),
);

describe("replacing a running plugin with another version", () => {
  it("swaps routes and services at once while requests in flight finish on the old version", async () => {
    const { kernel, request } = await startTestKernel({ plugins: [reader] });
    await kernel.load(clockFolder("1.0.0"));
    const inflight = request("/clock?wait=200");
    await Bun.sleep(30);
    const status = await kernel.replace(clockFolder("1.1.0"));
    expect(status).toMatchObject({ name: "clock", version: "1.1.0", status: "running" });
    expect(await (await request("/clock")).text()).toBe("clock 1.1.0");
    expect(await (await request("/reader")).text()).toBe("1.1.0");
    expect(await (await inflight).text()).toBe("clock 1.0.0");
    await Bun.sleep(50); // the old version's onShutdown runs after its requests: it must not withdraw the new services
    expect(await (await request("/reader")).text()).toBe("1.1.0");
  });

  it("keeps the old version running with its services when the new one cannot start", async () => {
    const { kernel, request } = await startTestKernel({ plugins: [reader] });
    await kernel.load(clockFolder("1.0.0"));
    await expect(kernel.replace(clockFolder("2.0.0", { failSetup: true }))).rejects.toThrow(
      "clock@2.0.0 failed to start: clock setup failed: cannot start",
    );
    expect(await (await request("/clock")).text()).toBe("clock 1.0.0");
    expect(await (await request("/reader")).text()).toBe("1.0.0");
  });

  it("refuses a version that a running dependent does not accept", async () => {
    const { kernel } = await startTestKernel();
    await kernel.load(clockFolder("1.0.0"));
    const alarm = writePluginFolder(
      join(tempDir(), "alarm"),
      pluginPackage("alarm", { dependencies: { clock: "^1" } }),
      "export default { setup() {} };",
    );
    await kernel.load(alarm);
    await expect(kernel.replace(clockFolder("2.0.0"))).rejects.toThrow(
      "alarm@1.0.0 -> clock@^1 : installed clock@2.0.0 does not satisfy",
    );
    expect(kernel.plugins().find((p) => p.name === "clock")?.version).toBe("1.0.0");
  });

  it("swaps through the kernel API when the batch names another version of a running plugin", async () => {
    const { kernel, request } = await startTestKernel();
    await kernel.load(clockFolder("1.0.0"));
    const installed = join(kernel.config.home, "plugins", "clock", "1.2.0");
    writePluginFolder(
      installed,
      pluginPackage("clock", { base: "/clock", provides: ["clock"] }, "1.2.0"),
      `export default { setup: () => ({ fetch: () => new Response("clock 1.2.0") }) };`,
    );
    const res = await request("/_/api/plugins", {
      method: "POST",
      headers: { authorization: `Bearer ${kernel.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ plugins: [{ name: "clock", version: "1.2.0" }] }),
    });
    expect(res.status).toBe(201);
    expect(await (await request("/clock")).text()).toBe("clock 1.2.0");
  });
});
