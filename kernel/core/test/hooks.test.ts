import { describe, expect, it } from "bun:test";
import { definePlugin } from "@buntime/sdk";
import { inlinePlugin, startTestKernel, withHooks } from "./support/kernel-fixture.ts";

/** A plugin that records its setup and hook calls into `calls`. */
function recorder(name: string, calls: string[], dependencies: Record<string, string> = {}) {
  return inlinePlugin(
    name,
    { dependencies },
    definePlugin({
      setup() {
        calls.push(`${name}:setup`);
        return {
          onRequest: () => void calls.push(`${name}:request`),
          onResponse: () => void calls.push(`${name}:response`),
          onShutdown: () => void calls.push(`${name}:shutdown`),
        };
      },
    }),
  );
}

describe("lifecycle hooks", () => {
  it("runs hooks in dependency order, onResponse and onShutdown reversed", async () => {
    const calls: string[] = [];
    const { kernel, request } = await startTestKernel({
      plugins: [recorder("c", calls, { b: "^1" }), recorder("a", calls), recorder("b", calls, { a: "^1" })],
    });
    await request("/anything");
    await kernel.stop();
    expect(calls).toEqual([
      "a:setup",
      "b:setup",
      "c:setup",
      "a:request",
      "b:request",
      "c:request",
      "c:response",
      "b:response",
      "a:response",
      "c:shutdown",
      "b:shutdown",
      "a:shutdown",
    ]);
  });

  it("short-circuits when onRequest returns a Response, still running onResponse", async () => {
    const calls: string[] = [];
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin("guard", {}, withHooks({ onRequest: () => new Response("blocked", { status: 418 }) })),
        inlinePlugin(
          "later",
          { dependencies: { guard: "*" }, base: "/" },
          withHooks({
            onRequest: () => void calls.push("later:request"),
            fetch: () => new Response("should not run"),
            onResponse: (res) => void calls.push(`later:response:${res.status}`),
          }),
        ),
      ],
    });
    const res = await request("/x");
    expect(res.status).toBe(418);
    expect(await res.text()).toBe("blocked");
    expect(calls).toEqual(["later:response:418"]);
  });

  it("shows onResponse hooks the request id the response will carry", async () => {
    let seen: string | null = null;
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "access-log",
          { base: "/" },
          withHooks({
            fetch: () => new Response("ok"),
            onResponse: (res) => {
              seen = res.headers.get("x-request-id");
            },
          }),
        ),
      ],
    });
    const res = await request("/");
    expect(seen).not.toBeNull();
    expect(res.headers.get("x-request-id")).toBe(seen);
  });

  it("lets onResponse replace the response", async () => {
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "wrap",
          { base: "/" },
          withHooks({
            fetch: () => new Response("inner"),
            onResponse: async (res) => new Response(`wrapped(${await res.text()})`),
          }),
        ),
      ],
    });
    const res = await request("/");
    expect(await res.text()).toBe("wrapped(inner)");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  });

  it("answers 500 naming the plugin when onRequest throws, and keeps serving", async () => {
    let fail = true;
    const { request, logs } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "flaky",
          { base: "/" },
          withHooks({
            onRequest: () => {
              if (fail) throw new Error("boom");
            },
            fetch: () => new Response("fine"),
          }),
        ),
      ],
    });
    const res = await request("/");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: "BUNTIME_ERR_HOOK_FAILED", message: "flaky onRequest failed", plugin: "flaky" },
    });
    expect(logs.some((line) => line.level === "error" && line.message === "flaky onRequest failed")).toBe(
      true,
    );
    fail = false;
    expect(await (await request("/")).text()).toBe("fine");
  });

  it("answers 500 when a hook hangs past the hook timeout", async () => {
    const { request } = await startTestKernel({
      config: { hookTimeout: 50 },
      plugins: [inlinePlugin("slow", {}, withHooks({ onResponse: () => new Promise(() => {}) }))],
    });
    const started = performance.now();
    const res = await request("/");
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({ code: "BUNTIME_ERR_HOOK_TIMEOUT", plugin: "slow" });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("answers 500 naming the plugin when its fetch handler throws", async () => {
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin("broken", { base: "/b" }, withHooks({ fetch: () => Promise.reject(new Error("nope")) })),
      ],
    });
    const res = await request("/b/x");
    expect(res.status).toBe(500);
    expect((await res.json()).error.message).toBe("broken fetch failed");
  });
});
