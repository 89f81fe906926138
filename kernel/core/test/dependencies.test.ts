import { describe, expect, it } from "bun:test";
import { definePlugin, type ManifestOptions } from "@buntime/sdk";
import { inlinePlugin, startTestKernel, withHooks } from "./support/kernel-fixture.ts";

const plugin = (name: string, manifest: Partial<ManifestOptions> = {}, version = "1.0.0") =>
  inlinePlugin(name, manifest, withHooks(), version);

describe("dependency ordering", () => {
  it.each([
    {
      case: "a missing dependency, naming the whole chain",
      plugins: [
        plugin("app", { dependencies: { auth: "^1" } }),
        plugin("auth", { dependencies: { storage: "^2" } }),
      ],
      message: "app@1.0.0 -> auth@^1 -> storage@^2 : not installed",
    },
    {
      case: "an incompatible dependency",
      plugins: [plugin("auth", { dependencies: { storage: "^2" } }, "1.2.0"), plugin("storage", {}, "1.4.0")],
      message: "auth@1.2.0 -> storage@^2 : installed storage@1.4.0 does not satisfy",
    },
    {
      case: "an incompatible optional dependency that is present",
      plugins: [plugin("metrics", { optionalDependencies: { logs: ">=3" } }), plugin("logs", {}, "2.0.0")],
      message: "metrics@1.0.0 -> logs@>=3 : installed logs@2.0.0 does not satisfy",
    },
    {
      case: "a cycle",
      plugins: [
        plugin("a", { dependencies: { b: "^1" } }),
        plugin("b", { dependencies: { c: "^1" } }),
        plugin("c", { dependencies: { a: "^1" } }),
      ],
      message: "dependency cycle: a@1.0.0 -> b@^1 -> c@^1 -> a@^1",
    },
    {
      case: "a plugin that needs another kernel",
      plugins: [plugin("future", { kernel: "^9.0.0" })],
      message: "future@1.0.0 requires kernel ^9.0.0, this kernel is 0.1.0",
    },
  ])("stops start-up on $case", async ({ plugins, message }) => {
    await expect(startTestKernel({ plugins })).rejects.toThrow(message);
  });

  it("stops start-up before any plugin starts", async () => {
    let started = false;
    const plugins = [
      inlinePlugin(
        "first",
        {},
        definePlugin({
          setup() {
            started = true;
          },
        }),
      ),
      plugin("broken", { dependencies: { ghost: "*" } }),
    ];
    await expect(startTestKernel({ plugins })).rejects.toThrow("broken@1.0.0 -> ghost@* : not installed");
    expect(started).toBe(false);
  });

  it("skips optional dependencies that are absent", async () => {
    const { kernel } = await startTestKernel({
      plugins: [plugin("metrics", { optionalDependencies: { logs: "^1" } })],
    });
    expect(kernel.plugins()).toMatchObject([{ name: "metrics", status: "running" }]);
  });

  it("starts present optional dependencies first", async () => {
    const order: string[] = [];
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "metrics",
          { optionalDependencies: { logs: "^1" } },
          definePlugin({ setup: () => void order.push("metrics") }),
        ),
        inlinePlugin("logs", {}, definePlugin({ setup: () => void order.push("logs") })),
      ],
    });
    expect(order).toEqual(["logs", "metrics"]);
    expect(kernel.plugins().every((p) => p.status === "running")).toBe(true);
  });

  it("refuses two plugins with one name", async () => {
    await expect(startTestKernel({ plugins: [plugin("twin"), plugin("twin", {}, "2.0.0")] })).rejects.toThrow(
      "twin is already loaded",
    );
  });
});
