import { describe, expect, it } from "bun:test";
import { type OtlpSpan, Span, SpanKind, sharedAttribute, unixNanos } from "../../src/tracing/span.ts";
import { RingReader, RingWriter, ringBuffer, SLOT } from "../../src/tracing/span-ring.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function ring(slots: number) {
  const buffer = ringBuffer(slots);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  const read = () => {
    const spans: OtlpSpan[] = [];
    reader.drain((span) => spans.push(JSON.parse(span) as OtlpSpan));
    return spans;
  };
  return { writer, reader, read };
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const late = Symbol("late");
  const timer = Bun.sleep(ms).then(() => late);
  return (await Promise.race([promise, timer])) !== late;
}

describe("the span ring between the main thread and the exporter worker", () => {
  it("gives the worker each span as recorded: ids, parent, kind, times, status and attributes of every kind", () => {
    const { writer, read } = ring(8);
    const method = sharedAttribute("http.request.method", "GET");
    const server = new Span(
      writer,
      TRACE,
      "00f067aa0ba902b7",
      "GET /héllo ✓",
      SpanKind.server,
      1765000000123.5,
    );
    server.addOne(method).set("url.path", "/héllo").set("count", 3).set("ratio", 0.25).set("ok", true);
    const child = server.child("fetch apps").addOne(method).fail("it broke: ✗");
    child.end();
    server.end();
    const [first, second] = read();
    expect(first).toMatchObject({
      traceId: TRACE,
      parentSpanId: server.spanId,
      spanId: child.spanId,
      name: "fetch apps",
      kind: SpanKind.internal,
      status: { code: 2, message: "it broke: ✗" },
      attributes: [{ key: "http.request.method", value: { stringValue: "GET" } }],
    });
    expect(second).toEqual({
      traceId: TRACE,
      spanId: server.spanId,
      parentSpanId: "00f067aa0ba902b7",
      name: "GET /héllo ✓",
      kind: SpanKind.server,
      startTimeUnixNano: "1765000000123500000",
      endTimeUnixNano: unixNanos(server.endMs),
      attributes: [
        { key: "http.request.method", value: { stringValue: "GET" } },
        { key: "url.path", value: { stringValue: "/héllo" } },
        { key: "count", value: { intValue: "3" } },
        { key: "ratio", value: { doubleValue: 0.25 } },
        { key: "ok", value: { boolValue: true } },
      ],
      status: {},
    });
    const root = new Span(writer, TRACE, undefined, "root");
    root.end();
    expect(read()[0]?.parentSpanId).toBeUndefined();
  });

  it("drops and counts spans while the ring is full, and takes them again once drained", () => {
    const { writer, read } = ring(4);
    for (let i = 0; i < 10; i++) new Span(writer, TRACE, undefined, `s${i}`).end();
    expect(writer.dropped).toBe(6);
    expect(read().map((span) => span.name)).toEqual(["s0", "s1", "s2", "s3"]);
    for (let round = 0; round < 5; round++) {
      new Span(writer, TRACE, undefined, `again${round}`).end();
      expect(read().map((span) => span.name)).toEqual([`again${round}`]);
    }
    expect(writer.dropped).toBe(6);
  });

  it("cuts a string longer than a slot and leaves out the attributes that do not fit, keeping the span", () => {
    const { writer, read } = ring(2);
    const span = new Span(writer, TRACE, undefined, "long");
    span.set("url.path", `/${"a".repeat(5000)}`).set("after", "left out");
    span.end();
    const [got] = read();
    expect(got?.name).toBe("long");
    const path = got?.attributes[0]?.value.stringValue ?? "";
    expect(path.length).toBeGreaterThan(SLOT / 2);
    expect(path.length).toBeLessThan(SLOT);
    expect(got?.attributes.map((item) => item.key)).toEqual(["url.path"]);
  });

  it("keeps recording every name once its string table is full (written in full instead)", () => {
    const { writer, read } = ring(64);
    for (let batch = 0; batch < 700; batch++) {
      const names: string[] = [];
      for (let i = 0; i < 50; i++) {
        const name = `GET /route-${batch}-${i}`;
        names.push(name);
        new Span(writer, TRACE, undefined, name).set("k", name).end();
      }
      const got = read();
      expect(got.map((span) => span.name)).toEqual(names);
      expect(got.map((span) => span.attributes[0]?.value.stringValue)).toEqual(names);
    }
    expect(writer.dropped).toBe(0);
  });

  it("lets the reader sleep until a quarter of the ring is in use, then wakes it at once", async () => {
    const { writer, reader, read } = ring(8);
    read();
    const waiting = reader.waitForSpans(60_000);
    new Span(writer, TRACE, undefined, "first").end();
    expect(await settlesWithin(waiting, 50)).toBe(false);
    new Span(writer, TRACE, undefined, "second").end(); // 2 of 8 slots: a quarter
    expect(await settlesWithin(waiting, 1000)).toBe(true);
    expect(read().map((span) => span.name)).toEqual(["first", "second"]);
  });

  it("returns from a wait at its timeout when nothing wakes it, and at once after a wake it missed", async () => {
    const { writer, reader, read } = ring(8);
    read();
    expect(await settlesWithin(reader.waitForSpans(20), 1000)).toBe(true);
    for (let i = 0; i < 2; i++) new Span(writer, TRACE, undefined, `s${i}`).end();
    // the wake came before the wait: the wait does not sleep through it
    expect(await settlesWithin(reader.waitForSpans(60_000), 50)).toBe(true);
  });
});
