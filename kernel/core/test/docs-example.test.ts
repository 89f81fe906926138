import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import { startTestKernel } from "./support/kernel-fixture.ts";

const EXAMPLES = join(import.meta.dir, "..", "..", "..", "docs", "examples");

describe("the plugin in docs/writing-a-plugin.md", () => {
  it("works as the page says", async () => {
    const { request, kernel } = await startTestKernel({
      config: { pluginDirs: [EXAMPLES], plugins: { greeter: { greeting: "Hi" } } },
    });
    expect(kernel.plugins()).toMatchObject([{ name: "greeter", status: "running", base: "/greeter" }]);
    const hello = await request("/greeter/Ada");
    expect(await hello.text()).toBe("Hi, Ada!");
    expect(hello.headers.get("x-greeter")).toBe("1");
    expect(await (await request("/greeter")).json()).toEqual({ greeted: 1 });
  });
});

describe("the test in docs/writing-a-plugin.md", () => {
  it("passes as written", async () => {
    const kernel = await createTestKernel({
      plugins: [join(EXAMPLES, "greeter")],
      config: { plugins: { greeter: { greeting: "Hi" } } },
    });
    try {
      const before = (kernel.service("greetings") as { count(): number }).count();
      expect(await (await kernel.fetch("/greeter/Ada")).text()).toBe("Hi, Ada!");
      expect((kernel.service("greetings") as { count(): number }).count()).toBe(before + 1);
    } finally {
      await kernel.stop();
    }
  });
});
