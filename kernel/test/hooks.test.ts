import { describe, expect, it } from "bun:test";
import { definePlugin } from "@buntime/sdk";
import { inlinePlugin, startTestKernel } from "./support/kernel-fixture.ts";

/** A plugin that records its hook calls into `calls`. */
function recorder(name: string, calls: string[], dependencies: Record<string, string> = {}) {
  return inlinePlugin(
    name,
    { dependencies },
    definePlugin({
      onInit: () => void calls.push(`${name}:init`),
      onRequest: () => void calls.push(`${name}:request`),
      onResponse: () => void calls.push(`${name}:response`),
      onShutdown: () => void calls.push(`${name}:shutdown`),
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
      "a:init",
      "b:init",
      "c:init",
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
        inlinePlugin("guard", {}, { onRequest: () => new Response("blocked", { status: 418 }) }),
        inlinePlugin(
          "later",
          { dependencies: { guard: "*" }, base: "/" },
          {
            onRequest: () => void calls.push("later:request"),
            fetch: () => new Response("should not run"),
            onResponse: (res) => void calls.push(`later:response:${res.status}`),
          },
        ),
      ],
    });
    const res = await request("/x");
    expect(res.status).toBe(418);
    expect(await res.text()).toBe("blocked");
    expect(calls).toEqual(["later:response:418"]);
  });

  it("passes a Request returned by onRequest on to the next hooks and the handler", async () => {
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "rewrite",
          {},
          {
            onRequest: (req) =>
              new Request(req.url.replace("/old", "/new"), { headers: { "x-tag": "rewritten" } }),
          },
        ),
        inlinePlugin(
          "echo",
          { base: "/new", dependencies: { rewrite: "*" } },
          {
            fetch: (req) => new Response(`${new URL(req.url).pathname} ${req.headers.get("x-tag")}`),
          },
        ),
      ],
    });
    expect(await (await request("/old/page")).text()).toBe("/new/page rewritten");
  });

  it("shows onResponse hooks the request id the response will carry", async () => {
    let seen: string | null = null;
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "access-log",
          { base: "/" },
          {
            fetch: () => new Response("ok"),
            onResponse: (res) => {
              seen = res.headers.get("x-request-id");
            },
          },
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
          {
            fetch: () => new Response("inner"),
            onResponse: async (res) => new Response(`wrapped(${await res.text()})`),
          },
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
          {
            onRequest: () => {
              if (fail) throw new Error("boom");
            },
            fetch: () => new Response("fine"),
          },
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
      plugins: [inlinePlugin("slow", {}, { onResponse: () => new Promise(() => {}) })],
    });
    const started = performance.now();
    const res = await request("/");
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({ code: "BUNTIME_ERR_HOOK_TIMEOUT", plugin: "slow" });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("answers 500 naming the plugin when its fetch handler throws", async () => {
    const { request } = await startTestKernel({
      plugins: [inlinePlugin("broken", { base: "/b" }, { fetch: () => Promise.reject(new Error("nope")) })],
    });
    const res = await request("/b/x");
    expect(res.status).toBe(500);
    expect((await res.json()).error.message).toBe("broken fetch failed");
  });

  it("costs a plugin whose onInit throws its start, and its dependents theirs, not the kernel's", async () => {
    const { kernel, logs, request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "bad",
          {},
          {
            onInit: () => {
              throw new Error("cannot open database");
            },
          },
        ),
        inlinePlugin("needs-bad", { dependencies: { bad: "^1" } }, {}),
        inlinePlugin("good", { base: "/good" }, { fetch: () => new Response("ok") }),
      ],
    });
    const status = Object.fromEntries(kernel.plugins().map((p) => [p.name, p]));
    expect(status.bad).toMatchObject({ status: "failed", error: "bad onInit failed: cannot open database" });
    expect(status["needs-bad"]).toMatchObject({ status: "failed", error: "dependency bad failed to start" });
    expect(status.good?.status).toBe("running");
    expect(logs.map((l) => l.message)).toContain(
      "plugin bad@1.0.0 failed to start: bad onInit failed: cannot open database",
    );
    expect(await (await request("/good")).text()).toBe("ok");
  });

  it("fails a plugin whose onInit hangs past the lifecycle timeout", async () => {
    const { kernel } = await startTestKernel({
      config: { lifecycleTimeout: 50 },
      plugins: [inlinePlugin("stuck", {}, { onInit: () => new Promise(() => {}) })],
    });
    expect(kernel.plugins()[0]).toMatchObject({
      status: "failed",
      error: "stuck onInit timed out after 50 ms",
    });
  });

  it("refuses an unknown hook name at load", async () => {
    await expect(
      startTestKernel({ plugins: [inlinePlugin("typo", {}, { onRequset: () => {} } as never)] }),
    ).rejects.toThrow("typo@1.0.0: unknown hook or field 'onRequset' in definePlugin");
  });
});
