import { describe, expect, it } from "bun:test";
import { definePlugin } from "@buntime/sdk";
import { inlinePlugin, startTestKernel } from "./support/kernel-fixture.ts";

interface Counter {
  next(): number;
}

function counterProvider() {
  let n = 0;
  return inlinePlugin(
    "counter",
    { provides: ["counter"] },
    definePlugin({
      setup: (ctx) => ctx.services.provide("counter", { next: () => ++n } satisfies Counter),
    }),
  );
}

describe("service registry", () => {
  it("gives a plugin the services it declares in consumes", async () => {
    const { request } = await startTestKernel({
      plugins: [
        counterProvider(),
        inlinePlugin(
          "user",
          { base: "/n", consumes: ["counter"], dependencies: { counter: "^1" } },
          definePlugin({
            setup(ctx) {
              const counter = ctx.services.get("counter") as Counter;
              return { fetch: () => new Response(String(counter.next())) };
            },
          }),
        ),
      ],
    });
    expect(await (await request("/n")).text()).toBe("1");
    expect(await (await request("/n")).text()).toBe("2");
  });

  it("refuses a service the plugin did not declare, naming plugin and service", async () => {
    let caught: unknown;
    await startTestKernel({
      plugins: [
        counterProvider(),
        inlinePlugin(
          "snoop",
          { dependencies: { counter: "^1" } },
          definePlugin({
            setup(ctx) {
              try {
                ctx.services.get("counter");
              } catch (error) {
                caught = error;
              }
            },
          }),
        ),
      ],
    });
    expect(caught).toMatchObject({
      code: "BUNTIME_ERR_SERVICE_NOT_DECLARED",
      message: "snoop asked for service 'counter' but does not declare it in consumes",
    });
  });

  it("refuses to provide a service missing from provides, costing the plugin its start", async () => {
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin("rogue", {}, definePlugin({ setup: (ctx) => ctx.services.provide("counter", {}) })),
      ],
    });
    expect(kernel.plugins()[0]?.error).toBe(
      "rogue setup failed: rogue provides service 'counter' but does not declare it in provides",
    );
  });

  it("reports a declared service that nobody provides", async () => {
    let has: boolean | undefined;
    let message: string | undefined;
    await startTestKernel({
      plugins: [
        inlinePlugin(
          "lonely",
          { consumes: ["keyval"] },
          definePlugin({
            setup(ctx) {
              has = ctx.services.has("keyval");
              try {
                ctx.services.get("keyval");
              } catch (error) {
                message = (error as Error).message;
              }
            },
          }),
        ),
      ],
    });
    expect(has).toBe(false);
    expect(message).toBe("lonely asked for service 'keyval' but no loaded plugin provides it");
  });

  it("withdraws a plugin's services when it unloads", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [
        counterProvider(),
        inlinePlugin(
          "probe",
          { base: "/probe", consumes: ["counter"] },
          definePlugin({
            setup: (ctx) => ({ fetch: () => new Response(String(ctx.services.has("counter"))) }),
          }),
        ),
      ],
    });
    expect(await (await request("/probe")).text()).toBe("true");
    await kernel.unload("counter");
    expect(await (await request("/probe")).text()).toBe("false");
  });
});
