import { describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";

const counter = {
  packageJson: {
    name: "counter",
    version: "1.0.0",
    buntime: { kernel: "*", base: "/count", provides: ["counter"] },
  },
  plugin: definePlugin({
    setup(ctx) {
      ctx.services.provide("counter", { value: 41 });
      return { fetch: () => new Response(`hello ${ctx.name}`) };
    },
  }),
};

describe("createTestKernel", () => {
  it("runs plugins in process, answers paths and exposes their services", async () => {
    const kernel = await createTestKernel({ plugins: [counter] });
    try {
      expect(await (await kernel.fetch("/count")).text()).toBe("hello counter");
      expect((await kernel.fetch(new Request("http://localhost/_/api/health"))).status).toBe(200);
      expect(kernel.service("counter")).toEqual({ value: 41 });
      expect(() => kernel.service("nobody")).toThrow("no loaded plugin provides it");
    } finally {
      await kernel.stop();
    }
    expect(existsSync(kernel.home)).toBe(false);
  });

  it("loads plugin folders and hands plugins their settings", async () => {
    const kernel = await createTestKernel({
      pluginDirs: [join(import.meta.dir, "..", "..", "..", "docs", "examples")],
      config: { plugins: { greeter: { greeting: "Hey" } } },
    });
    try {
      expect(await (await kernel.fetch("/greeter/Bo")).text()).toBe("Hey, Bo!");
      expect(
        kernel.logs.some((line) => line.namespace === "plugin:greeter" && line.message === "ready"),
      ).toBe(true);
    } finally {
      await kernel.stop();
    }
  });

  it("listens on a free loopback port when asked", async () => {
    const kernel = await createTestKernel({ plugins: [counter], listen: true });
    try {
      expect(kernel.url?.hostname).toBe("127.0.0.1");
      expect(await (await fetch(new URL("/count", kernel.url))).text()).toBe("hello counter");
    } finally {
      await kernel.stop();
    }
  });

  it("rejects, removing its temporary home, when a plugin cannot start", async () => {
    const broken = {
      packageJson: {
        name: "broken",
        version: "1.0.0",
        buntime: { kernel: "*", dependencies: { ghost: "^1" } },
      },
      plugin: definePlugin({ setup() {} }),
    };
    await expect(createTestKernel({ plugins: [broken] })).rejects.toThrow(
      "broken@1.0.0 -> ghost@^1 : not installed",
    );
  });
});
