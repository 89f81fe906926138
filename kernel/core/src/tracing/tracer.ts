/**
 * The kernel's tracer: decides per request whether to record (parent-based, then by trace id
 * ratio), makes the request's server span, and keeps the request's `traceparent` header naming
 * the kernel's current span, so whatever forwards the request's headers (the worker pool, the
 * proxy, any plugin) continues the trace from there.
 */
import { newSpanId, newTraceId } from "./ids.ts";
import { routeOf } from "./pipeline-spans.ts";
import { Span, SpanKind, type SpanKindCode, type SpanSink } from "./span.ts";
import {
  formatTraceParent,
  parseTraceParent,
  saneTraceState,
  TRACEPARENT,
  TRACESTATE,
  type TraceParent,
} from "./traceparent.ts";

declare module "@buntime/sdk" {
  interface RequestLocals {
    /**
     * The request's trace id (32 hex digits), set by the kernel while tracing is on: plugins
     * name the trace in their lines without reading the request's headers.
     */
    traceId?: string;
  }
}

/** What a sampled request carries through the pipeline. */
export interface RequestTrace {
  readonly traceId: string;
  /** The server span; undefined when the request is not sampled. */
  readonly span: Span | undefined;
}

/** The lowest 52 bits of a trace id (its random part under W3C level 2) as a fraction of 1. */
function traceFraction(traceId: string): number {
  return Number.parseInt(traceId.slice(19), 16) / 2 ** 52;
}

/** Records spans into `sink`, sampling new traces at `sampleRatio`. */
export class Tracer {
  constructor(
    readonly sink: SpanSink,
    readonly sampleRatio: number,
  ) {}

  /**
   * Starts the trace of one request as it arrives: a valid caller's `traceparent` is continued
   * (its trace id kept, its sampled flag followed), an invalid one replaced by a fresh trace,
   * and the request's header then names the kernel's server span (or, unsampled, stays the
   * caller's valid one).
   */
  startRequest(request: Request, method: string, pathname: string): RequestTrace {
    try {
      return this.#start(request.headers, method, pathname);
    } catch {
      // headers that cannot change (a request built so): trace nothing rather than fail it
      return { traceId: newTraceId(), span: undefined };
    }
  }

  #start(headers: Headers, method: string, pathname: string): RequestTrace {
    const given = headers.get(TRACEPARENT);
    const parent = parseTraceParent(given);
    // the caller's vendor data rides only beside its own valid traceparent; with none sent (most
    // requests) there is nothing to check, and a header look-up costs a small request dearly
    if (given !== null && (parent === undefined || saneTraceState(headers.get(TRACESTATE)) === undefined)) {
      headers.delete(TRACESTATE);
    }
    const traceId = parent?.traceId ?? newTraceId();
    const sampled = parent !== undefined ? parent.sampled : traceFraction(traceId) < this.sampleRatio;
    if (!sampled) {
      if (parent === undefined) headers.set(TRACEPARENT, formatTraceParent(traceId, newSpanId(), false));
      return { traceId, span: undefined };
    }
    const route = routeOf(pathname);
    const span = new Span(this.sink, traceId, parent?.parentId, `${method} ${route}`, SpanKind.server);
    span.set("http.request.method", method).set("http.route", route).set("url.path", pathname);
    headers.set(TRACEPARENT, span.traceparent);
    return { traceId, span };
  }

  /** A span continuing `parent` (a parsed `traceparent`), when that one was sampled. */
  childOf(
    parent: TraceParent | undefined,
    name: string,
    kind: SpanKindCode = SpanKind.internal,
  ): Span | undefined {
    if (parent === undefined || !parent.sampled) return undefined;
    return new Span(this.sink, parent.traceId, parent.parentId, name, kind);
  }
}
