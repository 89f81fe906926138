/**
 * Where a request's W3C trace context travels inside the kernel. A request the kernel traces, or
 * whose caller sent a `traceparent`, carries it as that header. A new trace the kernel does not
 * record carries its `traceparent` beside the request instead: writing a header into a request
 * costs the thread that serves HTTP a visible share of a small request, and most requests of a
 * busy kernel are of this kind. Whoever sends a request on (the worker pool, a proxy) hands it on.
 */

/** The W3C header naming a request's trace and parent span. */
export const TRACEPARENT_HEADER = "traceparent";

/**
 * The slot on a `Request` holding the `traceparent` of a new trace the kernel does not record
 * (unsampled; its parent id names the kernel's unrecorded span). A registered symbol: one per realm.
 */
export const UNRECORDED_TRACEPARENT: unique symbol = Symbol.for("buntime.unrecorded-traceparent");

/** A request that may carry an unrecorded trace's `traceparent` beside its headers. */
export interface TraceCarrier {
  [UNRECORDED_TRACEPARENT]?: string;
}

/**
 * The `traceparent` to send on with `request`: its header, else the one of the unrecorded trace
 * the kernel started for it, else undefined (tracing off and none sent).
 *
 * @example
 * const traceparent = traceparentOf(request);
 * if (traceparent !== undefined) upstreamHeaders.set("traceparent", traceparent);
 */
export function traceparentOf(request: Request): string | undefined {
  return request.headers.get(TRACEPARENT_HEADER) ?? (request as TraceCarrier)[UNRECORDED_TRACEPARENT];
}
