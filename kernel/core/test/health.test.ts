import { describe, expect, it } from "bun:test";
import { definePlugin } from "@buntime/sdk";
import { inlinePlugin, startTestKernel, withHooks } from "./support/kernel-fixture.ts";

describe("health probes", () => {
  it("answers live and ready once plugins started, and keeps /_/api/health", async () => {
    const { request } = await startTestKernel({ plugins: [inlinePlugin("fine", {}, withHooks())] });
    expect((await request("/_/api/health/live")).status).toBe(200);
    const ready = await request("/_/api/health/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { plugins: { ready: true }, pool: { ready: true }, storage: { ready: true } },
    });
    expect((await (await request("/_/api/health")).json()).status).toBe("ok");
  });

  it("is not ready (503, naming the plugin) while a plugin failed to start", async () => {
    const broken = definePlugin({
      setup() {
        throw new Error("no database");
      },
    });
    const { request } = await startTestKernel({ plugins: [inlinePlugin("broken", {}, broken)] });
    const ready = await request("/_/api/health/ready");
    expect(ready.status).toBe(503);
    const body = await ready.json();
    expect(body.status).toBe("not-ready");
    expect(body.checks.plugins).toEqual({ ready: false, reason: "failed to start: broken" });
    expect((await request("/_/api/health/live")).status).toBe(200);
  });

  it("runs checks passed in and added later; a throwing or hanging check is not ready", async () => {
    let applied = false;
    const { kernel, request } = await startTestKernel({
      readinessChecks: [{ name: "generation", check: () => applied || "applying generation 3" }],
    });
    const first = await (await request("/_/api/health/ready")).json();
    expect(first.checks.generation).toEqual({ ready: false, reason: "applying generation 3" });
    applied = true;
    expect((await request("/_/api/health/ready")).status).toBe(200);
    const remove = kernel.readiness.add({
      name: "thrower",
      check() {
        throw new Error("boom");
      },
    });
    const thrown = await (await request("/_/api/health/ready")).json();
    expect(thrown.checks.thrower).toEqual({ ready: false, reason: "boom" });
    remove();
    kernel.readiness.add({ name: "hang", check: () => new Promise(() => {}) });
    const report = await kernel.readiness.run(50);
    expect(report.checks.hang).toEqual({ ready: false, reason: "no answer within 50 ms" });
  });

  it("reads the keyval store when a plugin provides one, and is not ready while it fails", async () => {
    let down = false;
    const reads: string[] = [];
    const store = definePlugin({
      setup(ctx) {
        ctx.services.provide("keyval", {
          async get(key: string) {
            reads.push(key);
            if (down) throw new Error("connection refused");
            return null;
          },
        } as never);
        return {};
      },
    });
    const { request } = await startTestKernel({
      plugins: [inlinePlugin("store", { provides: ["keyval"] }, store)],
    });
    expect((await request("/_/api/health/ready")).status).toBe(200);
    expect(reads).toEqual(["kernel:health/probe"]);
    down = true;
    const failing = await request("/_/api/health/ready");
    expect(failing.status).toBe(503);
    expect((await failing.json()).checks.storage).toEqual({ ready: false, reason: "connection refused" });
  });

  it("is not ready once the kernel stops", async () => {
    const { kernel } = await startTestKernel();
    expect((await kernel.readiness.run()).status).toBe("ready");
    await kernel.stop();
    const report = await kernel.readiness.run();
    expect(report.checks.pool).toEqual({ ready: false, reason: "the worker pool is stopped" });
  });
});
