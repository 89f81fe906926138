import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { definePlugin } from "@buntime/sdk";
import { inlinePlugin, startTestKernel, tempDir } from "../support/kernel-fixture.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${CALLER_SPAN}-01`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

/**
 * A kernel with a plugin at /apps whose onRequest awaits (a span), whose onResponse returns at
 * once (no span), and whose fetch runs an app that echoes its traceparent.
 */
async function tracedKernel(tracing?: object) {
  const app = join(tempDir(), "index.ts");
  writeFileSync(
    app,
    `export default { fetch: (req) => Response.json({ traceparent: req.headers.get("traceparent"), tracestate: req.headers.get("tracestate"), requestId: req.headers.get("x-request-id") }) };`,
  );
  const plugin = definePlugin({
    setup: (ctx) => ({
      onRequest: async () => undefined,
      onResponse: () => undefined,
      fetch: (req, context) =>
        ctx.pool.fetch({ name: "echo", version: "1.0.0", entry: app }, req, {
          headers: { "x-request-id": context.requestId },
        }),
    }),
  });
  return startTestKernel({
    plugins: [inlinePlugin("apps", { base: "/apps" }, plugin)],
    config: tracing === undefined ? {} : { tracing },
  });
}

describe("tracing over OTLP/HTTP", () => {
  it("continues a caller's trace: server span, hook and handler spans, pool dispatch and spawn, and the app sees the pool's span as parent", async () => {
    const receiver = startOtlpReceiver();
    const { kernel, request } = await tracedKernel({
      otlp: { url: receiver.url, headers: { authorization: "Bearer collector-key" } },
      serviceName: "shop",
    });
    const res = await request("/apps/cart", { headers: { traceparent: VALID, tracestate: "vendor=abc" } });
    const seen = (await res.json()) as { traceparent: string; tracestate: string; requestId: string };
    await kernel.stop(); // flushes what is queued
    const spans = await receiver.waitForSpans(5);
    const byName = (name: string) => spans.find((span) => span.name === name);
    const server = byName("GET /apps");
    const onRequest = byName("onRequest apps");
    const handler = byName("fetch apps");
    const pool = byName("pool echo@1.0.0");
    const spawn = byName("spawn echo@1.0.0");
    expect(server).toMatchObject({ traceId: TRACE, parentSpanId: CALLER_SPAN, kind: 2 });
    expect(server?.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.route": "/apps",
      "url.path": "/apps/cart",
      "http.response.status_code": 200,
      "buntime.request_id": res.headers.get("x-request-id"),
    });
    expect(onRequest).toMatchObject({ traceId: TRACE, parentSpanId: server?.spanId, kind: 1 });
    expect(onRequest?.attributes).toMatchObject({ "buntime.plugin": "apps", "buntime.hook": "onRequest" });
    expect(byName("onResponse apps")).toBeUndefined(); // a quick synchronous hook makes no span
    expect(spans).toHaveLength(5);
    expect(handler).toMatchObject({ traceId: TRACE, parentSpanId: server?.spanId });
    expect(pool).toMatchObject({ traceId: TRACE, parentSpanId: handler?.spanId, kind: 3 });
    expect(pool?.attributes).toMatchObject({ "buntime.app": "echo@1.0.0", "http.response.status_code": 200 });
    expect(spawn).toMatchObject({ traceId: TRACE, parentSpanId: pool?.spanId });
    // the app's parent is the kernel's dispatch span; the caller's tracestate rides along
    expect(seen.traceparent).toBe(`00-${TRACE}-${pool?.spanId}-01`);
    expect(seen.tracestate).toBe("vendor=abc");
    expect(seen.requestId).toBe(res.headers.get("x-request-id") as string);
    expect(BigInt(server?.endTimeUnixNano ?? 0)).toBeGreaterThanOrEqual(
      BigInt(server?.startTimeUnixNano ?? 1),
    );
    expect(server?.resource).toMatchObject({ "service.name": "shop", "host.name": hostname() });
    expect(server?.scope.name).toBe("@buntime/kernel");
    expect(receiver.requests[0]).toMatchObject({ path: "/v1/traces", contentType: "application/json" });
    expect(receiver.requests[0]?.headers.get("authorization")).toBe("Bearer collector-key");
  });

  it.each([
    ["uppercase hex", `00-${TRACE.toUpperCase()}-${CALLER_SPAN}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${CALLER_SPAN}-01`],
    ["an all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${CALLER_SPAN}-01`],
    ["version 00 with extra fields", `${VALID}-extra`],
    ["two headers joined", `${VALID}, ${VALID}`],
    ["a short trace id", `00-${TRACE.slice(2)}-${CALLER_SPAN}-01`],
    ["garbage", "<script>alert(1)</script>"],
    ["a huge header", `00-${TRACE}-${CALLER_SPAN}-01${"-x".repeat(4000)}`],
  ])("replaces a traceparent with %s by a fresh trace, and drops its tracestate", async (_case, hostile) => {
    const receiver = startOtlpReceiver();
    const { kernel, request } = await tracedKernel({ otlp: { url: receiver.url } });
    const res = await request("/apps/x", { headers: { traceparent: hostile, tracestate: "vendor=abc" } });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { traceparent: string; tracestate: string | null };
    await kernel.stop();
    const [server] = (await receiver.waitForSpans(5)).filter((span) => span.kind === 2);
    expect(server?.parentSpanId ?? "").toBe("");
    expect(server?.traceId).not.toBe(TRACE);
    expect(seen.traceparent).toMatch(TRACEPARENT);
    expect(seen.traceparent.slice(3, 35)).toBe(server?.traceId as string);
    expect(seen.tracestate).toBeNull();
  });

  it("accepts a later version's traceparent with more fields, reading the first four", async () => {
    const receiver = startOtlpReceiver();
    const { kernel, request } = await tracedKernel({ otlp: { url: receiver.url } });
    await request("/apps/x", { headers: { traceparent: `01-${TRACE}-${CALLER_SPAN}-01-future` } });
    await kernel.stop();
    const [server] = (await receiver.waitForSpans(5)).filter((span) => span.kind === 2);
    expect(server).toMatchObject({ traceId: TRACE, parentSpanId: CALLER_SPAN });
  });

  it("follows a caller's unsampled flag: no spans, and the app sees the caller's traceparent", async () => {
    const receiver = startOtlpReceiver();
    const { kernel, request } = await tracedKernel({ otlp: { url: receiver.url } });
    const unsampled = `00-${TRACE}-${CALLER_SPAN}-00`;
    const seen = (await (await request("/apps/x", { headers: { traceparent: unsampled } })).json()) as {
      traceparent: string;
    };
    await kernel.stop();
    expect(seen.traceparent).toBe(unsampled);
    expect(receiver.spans).toEqual([]);
  });

  it("samples no new trace at sampleRatio 0, yet hands the app a valid unsampled traceparent", async () => {
    const receiver = startOtlpReceiver();
    const { kernel, request } = await tracedKernel({ otlp: { url: receiver.url }, sampleRatio: 0 });
    const seen = (await (await request("/apps/x")).json()) as { traceparent: string };
    await kernel.stop();
    expect(seen.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(receiver.spans).toEqual([]);
  });

  it("lets a traceparent a plugin writes into an unrecorded request reach the app, recording nothing", async () => {
    const receiver = startOtlpReceiver();
    const app = join(tempDir(), "index.ts");
    writeFileSync(app, `export default { fetch: (req) => new Response(req.headers.get("traceparent")) };`);
    const plugin = definePlugin({
      setup: (ctx) => ({
        fetch: (req) => {
          req.headers.set("traceparent", VALID);
          return ctx.pool.fetch({ name: "echo", version: "1.0.0", entry: app }, req);
        },
      }),
    });
    const { kernel, request } = await startTestKernel({
      plugins: [inlinePlugin("apps", { base: "/apps" }, plugin)],
      config: { tracing: { otlp: { url: receiver.url }, sampleRatio: 0 } },
    });
    const seen = await (await request("/apps/x")).text();
    await kernel.stop();
    expect(seen).toBe(VALID);
    expect(receiver.spans).toEqual([]);
  });

  it("records at most maxTracesPerSecond new traces, the rest unsampled, and still follows a caller's sampled flag", async () => {
    const receiver = startOtlpReceiver();
    const { kernel, request } = await tracedKernel({ otlp: { url: receiver.url }, maxTracesPerSecond: 3 });
    const flags: string[] = [];
    // ten requests well within a second: the budget's three, then unsampled ones
    for (let i = 0; i < 10; i++) {
      const seen = (await (await request("/apps/x")).json()) as { traceparent: string };
      expect(seen.traceparent).toMatch(TRACEPARENT);
      flags.push(seen.traceparent.slice(-2));
    }
    const caller = (await (await request("/apps/x", { headers: { traceparent: VALID } })).json()) as {
      traceparent: string;
    };
    await kernel.stop();
    expect(flags.slice(0, 3)).toEqual(["01", "01", "01"]);
    expect(flags.slice(3).filter((flag) => flag === "01").length).toBeLessThanOrEqual(1); // a refill, if the machine is slow
    const servers = (await receiver.waitForSpans(4 * 4)).filter((span) => span.kind === 2);
    expect(servers.filter((span) => span.traceId !== TRACE).length).toBe(
      flags.filter((f) => f === "01").length,
    );
    expect(servers.some((span) => span.traceId === TRACE && span.parentSpanId === CALLER_SPAN)).toBe(true);
    expect(caller.traceparent.slice(3, 35)).toBe(TRACE);
    expect(caller.traceparent.endsWith("-01")).toBe(true);
  });

  it("replaces a bad traceparent by an unsampled fresh one when the new trace is not recorded", async () => {
    const receiver = startOtlpReceiver();
    const { kernel, request } = await tracedKernel({ otlp: { url: receiver.url }, sampleRatio: 0 });
    const seen = (await (
      await request("/apps/x", { headers: { traceparent: "garbage", tracestate: "vendor=abc" } })
    ).json()) as { traceparent: string; tracestate: string | null };
    await kernel.stop();
    expect(seen.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(seen.tracestate).toBeNull();
    expect(receiver.spans).toEqual([]);
  });

  it("is off by default: a request's traceparent reaches the app untouched, whatever it is", async () => {
    const { request } = await tracedKernel();
    for (const sent of [VALID, "garbage"]) {
      const seen = (await (await request("/apps/x", { headers: { traceparent: sent } })).json()) as {
        traceparent: string;
      };
      expect(seen.traceparent).toBe(sent);
    }
    const none = (await (await request("/apps/x")).json()) as { traceparent: string | null };
    expect(none.traceparent).toBeNull();
  });

  it("keeps answering when the collector fails, and warns once with a code", async () => {
    const receiver = startOtlpReceiver({ status: 503 });
    const { kernel, request, logs } = await tracedKernel({ otlp: { url: receiver.url } });
    for (let i = 0; i < 3; i++) expect((await request("/apps/x")).status).toBe(200);
    await kernel.stop();
    const warnings = logs.filter((entry) => entry.fields?.code === "BUNTIME_ERR_TRACE_EXPORT_FAILED");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain("HTTP 503");
    expect(receiver.requests.length).toBeGreaterThan(0);
  });

  it("gives a hook that awaits a span as long as its wait, and a synchronous one none", async () => {
    const receiver = startOtlpReceiver();
    let waited = 0;
    const slow = definePlugin({
      setup: () => ({
        async onRequest() {
          const started = performance.now();
          await Bun.sleep(5);
          waited = performance.now() - started;
        },
        onResponse() {
          Bun.sleepSync(1);
        },
      }),
    });
    const { kernel, request } = await startTestKernel({
      plugins: [inlinePlugin("slow", {}, slow)],
      config: { tracing: { otlp: { url: receiver.url } } },
    });
    await request("/x");
    await kernel.stop();
    const spans = await receiver.waitForSpans(2);
    const hook = spans.find((span) => span.name === "onRequest slow");
    const server = spans.find((span) => span.kind === 2);
    expect(spans.find((span) => span.name === "onResponse slow")).toBeUndefined();
    expect(hook?.parentSpanId).toBe(server?.spanId as string);
    const ms = Number(BigInt(hook?.endTimeUnixNano ?? 0) - BigInt(hook?.startTimeUnixNano ?? 0)) / 1e6;
    // about as long as the wait the hook measured itself (another test file may have made sleeps
    // short); the span starts once the hook has returned its promise, and a busy machine may
    // pause the thread in between, so a fifth of slack: a span ended early would last ~0 ms
    expect(ms).toBeGreaterThanOrEqual(waited * 0.8);
  });

  it("marks the server span failed on a 5xx and names the failing hook's span", async () => {
    const receiver = startOtlpReceiver();
    const boom = definePlugin({
      setup: () => ({
        onRequest() {
          throw new Error("hook exploded");
        },
      }),
    });
    const { kernel, request } = await startTestKernel({
      plugins: [inlinePlugin("boom", {}, boom)],
      config: { tracing: { otlp: { url: receiver.url } } },
    });
    expect((await request("/anything")).status).toBe(500);
    await kernel.stop();
    const spans = await receiver.waitForSpans(2);
    expect(spans.find((span) => span.name === "onRequest boom")?.status).toEqual({
      code: 2,
      message: "hook exploded",
    });
    expect(spans.find((span) => span.kind === 2)?.status.code).toBe(2);
  });
});
