import { describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  pluginPackage,
  SDK_MODULE,
  startTestKernel,
  tempDir,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

/**
 * A `clock` version that declares `health: { path: "/health" }`: its health route answers as
 * `health` says (`ok`, `503`, `hang`, `throw`), every other path its version.
 */
function clockFolder(version: string, health: "ok" | "503" | "hang" | "throw", timeoutMs = 300): string {
  const answer = {
    ok: 'return new Response("fine");',
    503: 'return new Response("database unreachable\\n<html>more</html>", { status: 503 });',
    hang: "return new Promise(() => {});",
    throw: 'throw new Error("health exploded");',
  }[health];
  return writePluginFolder(
    join(tempDir(), `clock-${version}-${health}`),
    pluginPackage(
      "clock",
      { base: "/clock", provides: ["clock"], health: { path: "/health", timeoutMs } },
      version,
    ),
    `import { definePlugin } from ${SDK_MODULE};
export default definePlugin({
  setup(ctx) {
    ctx.services.provide("clock", { version: () => "${version}" });
    return {
      fetch(request) {
        if (new URL(request.url).pathname === "/clock/health") { ${answer} }
        return new Response("clock ${version}");
      },
    };
  },
});`,
  );
}

describe("a plugin's declared health check", () => {
  it("switches to a new version whose health check answers 2xx", async () => {
    const { kernel, request } = await startTestKernel();
    await kernel.load(clockFolder("1.0.0", "ok"));
    await kernel.replace(clockFolder("1.1.0", "ok"));
    expect(await (await request("/clock/x")).text()).toBe("clock 1.1.0");
  });

  it("keeps the old version serving when the new one answers non-2xx, quoting the answer's first line", async () => {
    const { kernel, request } = await startTestKernel();
    await kernel.load(clockFolder("1.0.0", "ok"));
    const refused = kernel.replace(clockFolder("2.0.0", "503"));
    await expect(refused).rejects.toMatchObject({
      code: "BUNTIME_ERR_PLUGIN_HEALTH_FAILED",
      message:
        "clock@2.0.0 failed its health check (GET /clock/health): it answered 503: database unreachable",
    });
    expect(await (await request("/clock/x")).text()).toBe("clock 1.0.0");
    expect(kernel.plugins().find((p) => p.name === "clock")).toMatchObject({
      version: "1.0.0",
      status: "running",
    });
  });

  it("keeps the old version serving when the new one's health check does not answer in time", async () => {
    const { kernel, request } = await startTestKernel();
    await kernel.load(clockFolder("1.0.0", "ok"));
    const began = performance.now();
    await expect(kernel.replace(clockFolder("2.0.0", "hang", 200))).rejects.toThrow(
      "clock@2.0.0 failed its health check (GET /clock/health): no answer within 200 ms",
    );
    expect(performance.now() - began).toBeLessThan(2000);
    expect(await (await request("/clock/x")).text()).toBe("clock 1.0.0");
  });

  it("says when the health handler throws", async () => {
    const { kernel } = await startTestKernel();
    await expect(kernel.load(clockFolder("1.0.0", "throw"))).rejects.toThrow(
      "clock@1.0.0 failed its health check (GET /clock/health): it threw: health exploded",
    );
  });

  it("refuses a first install that fails it: nothing loaded, no service, no data folder left", async () => {
    const { kernel, request } = await startTestKernel();
    await expect(kernel.load(clockFolder("1.0.0", "503"))).rejects.toThrow("failed its health check");
    expect(kernel.plugins().find((p) => p.name === "clock")).toBeUndefined();
    expect((await request("/clock/x")).status).toBe(404);
    expect(existsSync(join(kernel.config.home, "data", "clock"))).toBe(false);
    await kernel.load(clockFolder("1.0.1", "ok"));
    expect(await (await request("/clock/x")).text()).toBe("clock 1.0.1");
  });

  it("fails a plugin at start whose health check fails, and the kernel goes on", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [clockFolder("1.0.0", "503")],
    });
    expect(kernel.plugins().find((p) => p.name === "clock")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("failed its health check (GET /clock/health): it answered 503"),
    });
    expect((await request("/clock/x")).status).toBe(404);
  });
});

describe("the health check of an isolated plugin", () => {
  /** An isolated `iso` version (no imports: a pool worker runs it) whose health route answers `status`. */
  function isoFolder(version: string, status: number): string {
    return writePluginFolder(
      join(tempDir(), `iso-${version}`),
      pluginPackage(
        "iso",
        { base: "/iso", mode: "isolated", health: { path: "/health", timeoutMs: 5000 } },
        version,
      ),
      `export default {
  setup() {
    return {
      fetch(request) {
        // an isolated plugin sees paths below its base, as an app does
        if (new URL(request.url).pathname === "/health") return new Response("status ${status}", { status: ${status} });
        return new Response("iso ${version}");
      },
    };
  },
};`,
    );
  }

  it("reaches the plugin in its worker: a passing one loads, a failing one leaves the old version serving", async () => {
    const { kernel, request } = await startTestKernel({ config: { pluginPolicy: { isolation: "thread" } } });
    await kernel.load(isoFolder("1.0.0", 200));
    expect(await (await request("/iso/x")).text()).toBe("iso 1.0.0");
    await expect(kernel.replace(isoFolder("1.1.0", 500))).rejects.toThrow(
      "iso@1.1.0 failed its health check (GET /iso/health): it answered 500: status 500",
    );
    expect(await (await request("/iso/x")).text()).toBe("iso 1.0.0");
  });
});
