import { describe, expect, it } from "bun:test";
import type { LogEntry } from "@buntime/sdk";
import { createLogger } from "../../src/logger.ts";
import { OtlpExporter } from "../../src/tracing/otlp-exporter.ts";
import { Span, type SpanSink, unixNanos } from "../../src/tracing/span.ts";
import { onCleanup } from "../support/kernel-fixture.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

/** A span as the exporter worker hands it over: OTLP/JSON text. */
const spanJson = (name: string) => JSON.stringify({ traceId: TRACE, name });

function exporterTo(url: string, logs: LogEntry[] = []) {
  return new OtlpExporter({
    url,
    headers: {},
    resource: { "service.name": "t" },
    scope: { name: "t", version: "0" },
    logger: createLogger({ sink: (entry) => logs.push(entry) }),
    maxQueue: 100,
    maxBatch: 10,
    delay: 5,
    timeout: 200,
  });
}

describe("the OTLP exporter", () => {
  it("sends batches of at most maxBatch spans, one request at a time, in order", async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const collector = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        inFlight++;
        most = Math.max(most, inFlight);
        const body = (await request.json()) as {
          resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
        };
        await Bun.sleep(5);
        batches.push(body.resourceSpans[0]?.scopeSpans[0]?.spans.map((span) => Number(span.name)) ?? []);
        inFlight--;
        return Response.json({});
      },
    });
    onCleanup(() => collector.stop(true));
    const exporter = exporterTo(`${collector.url.href}v1/traces`);
    for (let i = 0; i < 95; i++) exporter.enqueue(spanJson(String(i)));
    await exporter.flush();
    expect(batches.flat()).toEqual(Array.from({ length: 95 }, (_, i) => i));
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(10);
    expect(most).toBe(1);
    expect(exporter.exported).toBe(95);
    expect(exporter.dropped).toBe(0);
  });

  it("holds at most maxQueue spans for a collector that hangs, drops the rest, and warns once", async () => {
    const collector = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Promise<Response>(() => {}),
    });
    onCleanup(() => collector.stop(true));
    const logs: LogEntry[] = [];
    const exporter = exporterTo(`${collector.url.href}v1/traces`, logs);
    for (let i = 0; i < 1000; i++) exporter.enqueue(spanJson(String(i)));
    // 100 queued and one batch of 10 in flight at most: the other 890 are dropped as they come
    expect(exporter.dropped).toBeGreaterThanOrEqual(890);
    await exporter.flush();
    expect(exporter.exported).toBe(0);
    expect(exporter.dropped).toBe(1000);
    expect(logs.filter((entry) => entry.fields?.code === "BUNTIME_ERR_TRACE_EXPORT_FAILED")).toHaveLength(1);
  });

  it("writes nanosecond times without the rounding of a float past 2^53", () => {
    expect(unixNanos(1765000000123.5)).toBe("1765000000123500000");
    expect(unixNanos(1765000000123.25)).toBe("1765000000123250000");
    // the seconds' digits are reused from the span before only within the same second
    expect(unixNanos(1765000001000.001)).toBe("1765000001000001000");
    expect(unixNanos(1765000000999.999)).toBe("1765000000999999000");
    expect(unixNanos(1765000000000)).toBe("1765000000000000000");
    // zeros inside the microseconds are kept: 7 ms 89 µs
    expect(unixNanos(1765000000007.089)).toBe("1765000000007089000");
  });
});

describe("a stopping kernel's last export", () => {
  it("waits at most FLUSH_LIMIT_MS for a collector that hangs", async () => {
    const { createTracing, FLUSH_LIMIT_MS } = await import("../../src/tracing/index.ts");
    const collector = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Promise<Response>(() => {}),
    });
    onCleanup(() => collector.stop(true));
    const tracing = createTracing(
      { otlp: { url: `${collector.url.href}v1/traces`, headers: {} } },
      {},
      { node: "n", version: "0" },
    );
    new Span(tracing?.exporter as SpanSink, TRACE, undefined, "last").end();
    const started = performance.now();
    await tracing?.flush();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(FLUSH_LIMIT_MS - 50);
    expect(waited).toBeLessThan(FLUSH_LIMIT_MS + 1000);
  }, 15_000);
});
