import { describe, expect, it } from "bun:test";
import { definePlugin } from "@buntime/sdk";
import { z } from "zod";
import { inlinePlugin, pluginPackage, startTestKernel, withHooks } from "./support/kernel-fixture.ts";

describe("manifest and config validation", () => {
  it.each([
    {
      case: "a bad kernel range",
      packageJson: pluginPackage("auth", { kernel: "not a range" }),
      message:
        'auth@1.0.0 (inline plugin): invalid plugin manifest: buntime.kernel: expected a semver range, got "not a range"',
    },
    {
      case: "a base without a leading slash",
      packageJson: pluginPackage("auth", { base: "auth" }),
      message: "buntime.base: expected a URL prefix such as /auth (leading slash, no trailing slash)",
    },
    {
      case: "a dependency with a bad range",
      packageJson: pluginPackage("auth", { dependencies: { storage: "two" } }),
      message: 'buntime.dependencies.storage: expected a semver range, got "two"',
    },
    {
      case: "an unknown manifest field",
      packageJson: pluginPackage("auth", { dependancies: {} } as never),
      message: 'buntime: Unrecognized key: "dependancies"',
    },
    {
      case: "a bad mode",
      packageJson: pluginPackage("auth", { mode: "shared" } as never),
      message: "buntime.mode:",
    },
    {
      case: "a version that is not exact",
      packageJson: { name: "auth", version: "^1.0.0", buntime: { kernel: "*" } },
      message: 'version: expected an exact semver version, got "^1.0.0"',
    },
    {
      case: "the reserved /_ base",
      packageJson: pluginPackage("sneaky", { base: "/_/api" }),
      message: "buntime.base: the /_ prefix is reserved for the kernel",
    },
  ])("refuses $case with a message naming package and field", async ({ packageJson, message }) => {
    const started = startTestKernel({ plugins: [{ packageJson, plugin: withHooks() }] });
    await expect(started).rejects.toThrow(message);
    await expect(started).rejects.toMatchObject({ code: "BUNTIME_ERR_MANIFEST_INVALID" });
  });

  it("validates plugin settings with the plugin's own schema, naming plugin and field", async () => {
    const plugin = inlinePlugin(
      "greeter",
      {},
      definePlugin({ config: z.object({ greeting: z.string(), times: z.number().int() }), setup() {} }),
    );
    await expect(
      startTestKernel({
        config: { plugins: { greeter: { greeting: "hi", times: "3" } } },
        plugins: [plugin],
      }),
    ).rejects.toThrow(
      'config of plugin greeter: invalid configuration: plugins["greeter"].times: Invalid input: expected number, received string',
    );
  });

  it("hands a plugin its validated settings with defaults applied", async () => {
    let seen: unknown;
    await startTestKernel({
      config: { plugins: { greeter: { greeting: "hi" } } },
      plugins: [
        inlinePlugin(
          "greeter",
          {},
          definePlugin({
            config: z.object({ greeting: z.string(), times: z.number().default(2) }),
            setup(ctx) {
              seen = ctx.config;
            },
          }),
        ),
      ],
    });
    expect(seen).toEqual({ greeting: "hi", times: 2 });
  });

  it.each([
    { case: "without setup", plugin: {}, message: "setup must be a function that returns the hooks" },
    { case: "whose setup is no function", plugin: { setup: {} }, message: "setup must be a function" },
    {
      case: "whose config is no zod schema",
      plugin: { config: { type: "object" }, setup() {} },
      message: "config must be a zod schema",
    },
    {
      case: "in the old shape, hooks beside setup",
      plugin: { onInit() {}, setup() {} },
      message: "unknown key 'onInit' in definePlugin (known: config, setup)",
    },
  ])("refuses a definition $case, stopping the start", async ({ plugin, message }) => {
    await expect(startTestKernel({ plugins: [inlinePlugin("odd", {}, plugin as never)] })).rejects.toThrow(
      `odd@1.0.0: ${message}`,
    );
  });
});

it("refuses a plugin with a ui but no base", async () => {
  await expect(
    startTestKernel({ plugins: [inlinePlugin("lost", { ui: { dir: "ui" } }, withHooks())] }),
  ).rejects.toThrow("lost@1.0.0: ui needs a base in the manifest (buntime.base)");
});
