import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { definePlugin } from "@buntime/sdk";
import { inlinePlugin, startTestKernel, tempDir } from "../support/kernel-fixture.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";

const OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c";
const OTHER_SPAN = "b7ad6b7169203331";

/** An app that answers with the status its path names (`/404` → 404) and the traceparent it got. */
function echoApp(): string {
  const entry = join(tempDir(), "index.ts");
  writeFileSync(
    entry,
    `export default { fetch: (req) => Response.json({ traceparent: req.headers.get("traceparent") }, { status: Number(new URL(req.url).pathname.split("/").pop()) || 200 }) };`,
  );
  return entry;
}

describe("trace context on the way to the app", () => {
  it("gives a dispatch span the parent its request names, even when a plugin sends a request of its own", async () => {
    const receiver = startOtlpReceiver();
    const entry = echoApp();
    const plugin = definePlugin({
      setup: (ctx) => ({
        // the pool is called while this handler's span is the active one, with another trace's request
        fetch: () =>
          ctx.pool.fetch(
            { name: "echo", version: "1.0.0", entry },
            new Request("http://app/x", { headers: { traceparent: `00-${OTHER_TRACE}-${OTHER_SPAN}-01` } }),
          ),
      }),
    });
    const { kernel, request } = await startTestKernel({
      plugins: [inlinePlugin("apps", { base: "/apps" }, plugin)],
      config: { tracing: { otlp: { url: receiver.url } } },
    });
    const seen = (await (await request("/apps/x")).json()) as { traceparent: string };
    await kernel.stop();
    const spans = await receiver.waitForSpans(3);
    const pool = spans.find((span) => span.name === "pool echo@1.0.0");
    expect(pool).toMatchObject({ traceId: OTHER_TRACE, parentSpanId: OTHER_SPAN, kind: 3 });
    expect(seen.traceparent).toBe(`00-${OTHER_TRACE}-${pool?.spanId}-01`);
  });

  it("writes each span's own status, though spans share the attributes of equal statuses", async () => {
    const receiver = startOtlpReceiver();
    const entry = echoApp();
    const plugin = definePlugin({
      setup: (ctx) => ({ fetch: (req) => ctx.pool.fetch({ name: "echo", version: "1.0.0", entry }, req) }),
    });
    const { kernel, request } = await startTestKernel({
      plugins: [inlinePlugin("apps", { base: "/apps" }, plugin)],
      config: { tracing: { otlp: { url: receiver.url } } },
    });
    for (const status of [200, 404, 200, 503]) expect((await request(`/apps/${status}`)).status).toBe(status);
    await kernel.stop();
    const spans = await receiver.waitForSpans(12);
    const statuses = (kind: number) =>
      spans
        .filter((span) => span.kind === kind)
        .sort((a, b) => a.startTimeUnixNano.localeCompare(b.startTimeUnixNano))
        .map((span) => [
          span.attributes["url.path"] ?? span.name,
          span.attributes["http.response.status_code"],
        ]);
    expect(statuses(2)).toEqual([
      ["/apps/200", 200],
      ["/apps/404", 404],
      ["/apps/200", 200],
      ["/apps/503", 503],
    ]);
    expect(statuses(3).map(([, status]) => status)).toEqual([200, 404, 200, 503]);
    expect(spans.filter((span) => span.status.code === 2).map((span) => span.status.message)).toEqual([
      "HTTP 503",
      "HTTP 503",
    ]);
  });

  it.each([
    ["sampled", 1],
    ["not sampled", 0],
  ])("hands plugins the trace id the app's traceparent carries (%s)", async (_case, sampleRatio) => {
    const receiver = startOtlpReceiver();
    const entry = echoApp();
    let traceId: string | undefined;
    const plugin = definePlugin({
      setup: (ctx) => ({
        fetch: (req, context) => {
          traceId = context.locals.traceId;
          return ctx.pool.fetch({ name: "echo", version: "1.0.0", entry }, req);
        },
      }),
    });
    const { kernel, request } = await startTestKernel({
      plugins: [inlinePlugin("apps", { base: "/apps" }, plugin)],
      config: { tracing: { otlp: { url: receiver.url }, sampleRatio } },
    });
    const seen = (await (await request("/apps/x")).json()) as { traceparent: string };
    await kernel.stop();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.traceparent.slice(3, 35)).toBe(traceId as string);
    expect(seen.traceparent.endsWith(sampleRatio === 1 ? "-01" : "-00")).toBe(true);
  });

  it("gives a WebSocket app the unsampled traceparent of the trace its upgrade request started", async () => {
    const receiver = startOtlpReceiver();
    const entry = join(tempDir(), "index.ts");
    writeFileSync(
      entry,
      `export default { fetch: () => new Response("ws only"), websocket: { open: (ws) => ws.send(String(ws.data.headers.traceparent)) } };`,
    );
    let traceId: string | undefined;
    const plugin = definePlugin({
      setup: (ctx) => ({
        fetch: (req, context) => {
          traceId = context.locals.traceId;
          return ctx.pool.upgrade?.({ name: "ws", version: "1.0.0", entry }, req);
        },
      }),
    });
    const { kernel } = await startTestKernel({
      plugins: [inlinePlugin("apps", { base: "/apps" }, plugin)],
      config: { tracing: { otlp: { url: receiver.url }, sampleRatio: 0 } },
    });
    const url = await kernel.listen();
    const socket = new WebSocket(new URL("/apps/chat", url.href.replace("http", "ws")));
    const greeting = await new Promise<string>((resolve, reject) => {
      socket.addEventListener("message", (event) => resolve(String(event.data)));
      socket.addEventListener("error", () => reject(new Error("the WebSocket failed")));
      setTimeout(() => reject(new Error("no greeting within 10 s")), 10_000);
    });
    socket.close();
    await kernel.stop();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(greeting).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });
});
