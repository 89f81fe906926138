import { describe, expect, it } from "bun:test";
import { newSpanId, newTraceId } from "../../src/tracing/ids.ts";

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
});
