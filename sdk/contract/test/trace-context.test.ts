import { describe, expect, it } from "bun:test";
import { type TraceCarrier, traceparentOf, UNRECORDED_TRACE_ID } from "../src/index.ts";

const SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const UNRECORDED_ID = "0af7651916cd43dd8448eb211c80319c";

describe("traceparentOf", () => {
  it("is the request's header when it has one, even beside an unrecorded trace", () => {
    const request = new Request("http://x/", { headers: { traceparent: SAMPLED } });
    (request as TraceCarrier)[UNRECORDED_TRACE_ID] = UNRECORDED_ID;
    expect(traceparentOf(request)).toBe(SAMPLED);
  });

  it("names the unrecorded trace the kernel put beside a request without the header, unsampled", () => {
    const request = new Request("http://x/");
    (request as TraceCarrier)[UNRECORDED_TRACE_ID] = UNRECORDED_ID;
    const first = traceparentOf(request);
    expect(first).toMatch(new RegExp(`^00-${UNRECORDED_ID}-[0-9a-f]{16}-00$`));
    expect(first?.slice(36, 52)).not.toBe("0000000000000000");
    // each hop it is sent to gets a span id of its own
    expect(traceparentOf(request)?.slice(36, 52)).not.toBe(first?.slice(36, 52));
  });

  it("is undefined when neither is there, and the slot is one symbol whoever registers it", () => {
    expect(traceparentOf(new Request("http://x/"))).toBeUndefined();
    expect(Symbol.for("buntime.unrecorded-trace-id")).toBe(UNRECORDED_TRACE_ID);
  });
});
