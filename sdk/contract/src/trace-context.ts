/**
 * Where a request's W3C trace context travels inside the kernel. A request the kernel traces, or
 * whose caller sent a `traceparent`, carries it as that header. A new trace the kernel does not
 * record carries only its trace id, beside the request: writing a header into a request, or even
 * making the header's text, costs the thread that serves HTTP a visible share of a small
 * request, and most requests of a busy kernel are of this kind. Whoever sends a request on (the
 * worker pool, a proxy) makes the header from it.
 */

/** The W3C header naming a request's trace and parent span. */
export const TRACEPARENT_HEADER = "traceparent";

/** The slot on a `Request` holding the id of a new trace the kernel does not record (a registered symbol: one per realm). */
export const UNRECORDED_TRACE_ID: unique symbol = Symbol.for("buntime.unrecorded-trace-id");

/** A request that may carry an unrecorded trace's id beside its headers. */
export interface TraceCarrier {
  [UNRECORDED_TRACE_ID]?: string;
}

/** A random span id: 16 lower-case hex digits, never all zero. */
function randomSpanId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const id = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return id === "0000000000000000" ? randomSpanId() : id;
}

/**
 * The `traceparent` of a hop in trace `traceId` that records nothing: a fresh parent id (an
 * unrecorded span has no id anyone will look up) and the unsampled flag, so the receiver
 * records none either.
 */
function unrecordedTraceParent(traceId: string): string {
  return `00-${traceId}-${randomSpanId()}-00`;
}

/**
 * The `traceparent` to send on with `request`: its header, else one for the unrecorded trace the
 * kernel started for it, else undefined (tracing off and none sent).
 *
 * @example
 * const traceparent = traceparentOf(request);
 * if (traceparent !== undefined) upstreamHeaders.set("traceparent", traceparent);
 */
export function traceparentOf(request: Request): string | undefined {
  const header = request.headers.get(TRACEPARENT_HEADER);
  if (header !== null) return header;
  const traceId = (request as TraceCarrier)[UNRECORDED_TRACE_ID];
  return traceId === undefined ? undefined : unrecordedTraceParent(traceId);
}
