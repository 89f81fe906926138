import { describe, expect, it } from "bun:test";
import { newSpanId, newTraceId, newUnsampledTraceParent } from "../../src/tracing/ids.ts";

describe("trace and span ids", () => {
  it("are lower-case hex of the right length and all different, across refills of the random pool", () => {
    // 3000 trace ids and 3000 span ids draw 72 KiB: the 4 KiB pool is refilled many times
    const traces = Array.from({ length: 3000 }, newTraceId);
    const spans = Array.from({ length: 3000 }, newSpanId);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(traces).size).toBe(traces.length);
    expect(new Set(spans).size).toBe(spans.length);
  });

  it("make unsampled traceparents whole, with random ids that are never all zero, across refills", () => {
    // 170 fit in 4 KiB of random bytes: 2000 take a dozen refills
    const made = Array.from({ length: 2000 }, newUnsampledTraceParent);
    for (const traceparent of made) {
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(traceparent.slice(3, 35)).not.toBe("0".repeat(32));
      expect(traceparent.slice(36, 52)).not.toBe("0".repeat(16));
    }
    expect(new Set(made.map((traceparent) => traceparent.slice(3, 35))).size).toBe(made.length);
    expect(new Set(made.map((traceparent) => traceparent.slice(36, 52))).size).toBe(made.length);
  });
});
