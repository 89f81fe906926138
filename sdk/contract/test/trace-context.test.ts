import { describe, expect, it } from "bun:test";
import { type TraceCarrier, traceparentOf, UNRECORDED_TRACEPARENT } from "../src/index.ts";

const SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const UNRECORDED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

describe("traceparentOf", () => {
  it("is the request's header when it has one, even beside an unrecorded trace", () => {
    const request = new Request("http://x/", { headers: { traceparent: SAMPLED } });
    (request as TraceCarrier)[UNRECORDED_TRACEPARENT] = UNRECORDED;
    expect(traceparentOf(request)).toBe(SAMPLED);
  });

  it("is the unrecorded trace's traceparent the kernel put beside a request without the header", () => {
    const request = new Request("http://x/");
    (request as TraceCarrier)[UNRECORDED_TRACEPARENT] = UNRECORDED;
    expect(traceparentOf(request)).toBe(UNRECORDED);
    expect(request.headers.has("traceparent")).toBe(false);
  });

  it("is undefined when neither is there, and the slot is one symbol whoever registers it", () => {
    expect(traceparentOf(new Request("http://x/"))).toBeUndefined();
    expect(Symbol.for("buntime.unrecorded-traceparent")).toBe(UNRECORDED_TRACEPARENT);
  });
});
