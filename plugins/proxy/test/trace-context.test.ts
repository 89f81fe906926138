import { afterEach, describe, expect, it } from "bun:test";
import { createTestKernel } from "@buntime/kernel/testing";
import { cleanUp, echoPlugin, onCleanUp, proxyPlugin, startUpstream } from "./support.ts";

afterEach(cleanUp);

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

/** Span ids and parents, by name, of what a kernel exported to a collector on loopback. */
function startCollector() {
  const spans: { name: string; spanId: string; parentSpanId?: string; traceId: string }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const body = (await request.json()) as { resourceSpans: { scopeSpans: { spans: typeof spans }[] }[] };
      for (const resource of body.resourceSpans)
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      return Response.json({});
    },
  });
  onCleanUp(() => server.stop(true));
  return { url: `${server.url.href}v1/traces`, spans };
}

describe("trace context through the proxy", () => {
  it("sends the upstream a traceparent naming the kernel's server span, and the request id", async () => {
    const collector = startCollector();
    const upstream = startUpstream();
    const kernel = await createTestKernel({
      plugins: [proxyPlugin, echoPlugin],
      config: {
        tracing: { otlp: { url: collector.url } },
        plugins: { "@buntime/plugin-proxy": { rules: [{ id: "api", path: "/api/*", upstream }] } },
      },
    });
    const response = await kernel.fetch("/api/orders", {
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, "x-request-id": "spoofed" },
    });
    const seen = (await response.json()) as { headers: Record<string, string> };
    await kernel.stop();
    const proxySpan = collector.spans.find((span) => span.name === "onRequest @buntime/plugin-proxy");
    const server = collector.spans.find((span) => span.name === "GET /api");
    // the proxy's hook awaited the upstream: it has a span, beside the upstream's under the server span
    expect(proxySpan).toMatchObject({ traceId: TRACE, parentSpanId: server?.spanId });
    expect(seen.headers.traceparent).toBe(`00-${TRACE}-${server?.spanId}-01`);
    expect(seen.headers["x-request-id"]).toBe(response.headers.get("x-request-id") as string);
    expect(seen.headers["x-request-id"]).not.toBe("spoofed");
  });

  it("sends the upstream the unsampled traceparent of a new trace the kernel does not record", async () => {
    const collector = startCollector();
    const upstream = startUpstream();
    const kernel = await createTestKernel({
      plugins: [proxyPlugin],
      config: {
        tracing: { otlp: { url: collector.url }, sampleRatio: 0 },
        plugins: { "@buntime/plugin-proxy": { rules: [{ id: "api", path: "/api/*", upstream }] } },
      },
    });
    onCleanUp(() => kernel.stop());
    const first = (await (await kernel.fetch("/api/a")).json()) as { headers: Record<string, string> };
    const second = (await (await kernel.fetch("/api/b")).json()) as { headers: Record<string, string> };
    expect(first.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(second.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(second.headers.traceparent?.slice(3, 35)).not.toBe(first.headers.traceparent?.slice(3, 35));
  });

  it("passes a caller's traceparent on untouched while tracing is off", async () => {
    const upstream = startUpstream();
    const kernel = await createTestKernel({
      plugins: [proxyPlugin],
      config: { plugins: { "@buntime/plugin-proxy": { rules: [{ id: "api", path: "/api/*", upstream }] } } },
    });
    onCleanUp(() => kernel.stop());
    const sent = `00-${TRACE}-00f067aa0ba902b7-01`;
    const seen = (await (await kernel.fetch("/api/x", { headers: { traceparent: sent } })).json()) as {
      headers: Record<string, string>;
    };
    expect(seen.headers.traceparent).toBe(sent);
  });
});
