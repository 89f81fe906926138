/**
 * The kernel's tracer: decides per request whether to record (parent-based, then by trace id
 * ratio and the per-second budget), makes the request's server span, and keeps the request's
 * `traceparent` naming the kernel's current span (its header; for a new trace it does not record,
 * beside the request), so whatever sends the request on with the sdk's
 * `traceparentOf` (the worker pool, the proxy, any plugin) continues the trace from there.
 */
import { type TraceCarrier, UNRECORDED_TRACEPARENT } from "@buntime/sdk";
import { newTraceId, newUnsampledTraceParent, traceIdOf } from "./ids.ts";
import { routeOf } from "./pipeline-spans.ts";
import { Span, SpanKind, type SpanKindCode, type SpanSink, sharedAttributes } from "./span.ts";
import type { TraceBudget } from "./trace-budget.ts";
import {
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

/** The lowest 52 bits of a trace id (its random part under W3C level 2) as a fraction of 1. */
function traceFraction(traceId: string): number {
  return Number.parseInt(traceId.slice(19), 16) / 2 ** 52;
}

const methodAttribute = sharedAttributes<string>("http.request.method", 32);
const routeAttribute = sharedAttributes<string>("http.route", 1024);

/**
 * Records spans into `sink`, sampling new traces at `sampleRatio` and, when a budget is given,
 * at most its count per second.
 */
export class Tracer {
  readonly sink: SpanSink;
  readonly sampleRatio: number;
  readonly #budget: TraceBudget | undefined;
  /**
   * The span of the plugin handler whose synchronous part is running (see `traced`): the pool,
   * called from there with the request whose `traceparent` names this span, takes it as the
   * parent without parsing the header again.
   */
  active: Span | undefined = undefined;

  constructor(sink: SpanSink, sampleRatio: number, budget?: TraceBudget) {
    this.sink = sink;
    this.sampleRatio = sampleRatio;
    this.#budget = budget;
  }

  /**
   * Starts the trace of one request as it arrives: a valid caller's `traceparent` is continued
   * (its trace id kept, its sampled flag followed), an invalid one replaced by a fresh trace,
   * and the request's header then names the kernel's server span (or, unsampled, stays the
   * caller's valid one). A fresh trace that is not recorded gets its unsampled `traceparent`
   * beside the request, not as a header (see the sdk's `traceparentOf`). Returns the server span when
   * the request is sampled, else only its trace id: an unsampled request makes no span.
   */
  startRequest(request: Request, pathname: string): Span | string {
    try {
      return this.#start(request, pathname);
    } catch {
      // headers that cannot change (a request built so): trace nothing rather than fail it
      return newTraceId();
    }
  }

  #start(request: Request, pathname: string): Span | string {
    const headers = request.headers;
    const given = headers.get(TRACEPARENT);
    // most requests: a fresh trace, nothing of the caller's to check
    if (given === null) return this.#fresh(request, pathname);
    const parent = parseTraceParent(given);
    // the caller's vendor data rides only beside its own valid traceparent
    if (parent === undefined || saneTraceState(headers.get(TRACESTATE)) === undefined) {
      headers.delete(TRACESTATE);
    }
    if (parent === undefined) {
      headers.delete(TRACEPARENT);
      return this.#fresh(request, pathname);
    }
    if (!parent.sampled) return parent.traceId; // the caller's valid header goes on as it is
    return this.#serverSpan(request, parent.traceId, parent.parentId, pathname);
  }

  /** A new trace: its server span when sampled, else its id (its `traceparent` kept beside the request). */
  #fresh(request: Request, pathname: string): Span | string {
    const traceparent = newUnsampledTraceParent();
    const traceId = traceIdOf(traceparent);
    if (this.#sampleNew(traceId)) return this.#serverSpan(request, traceId, undefined, pathname);
    (request as TraceCarrier)[UNRECORDED_TRACEPARENT] = traceparent;
    return traceId;
  }

  /**
   * Whether a new trace (no caller's sampled flag to follow) is recorded: the ratio decides by
   * the trace id, as every service sampling the same trace by ratio does, then the budget.
   */
  #sampleNew(traceId: string): boolean {
    const picked =
      this.sampleRatio >= 1 || (this.sampleRatio > 0 && traceFraction(traceId) < this.sampleRatio);
    return picked && (this.#budget === undefined || this.#budget.take());
  }

  /** The server span of a recorded request (its method is read only here: most requests are not). */
  #serverSpan(request: Request, traceId: string, parentId: string | undefined, pathname: string): Span {
    const method = request.method;
    const route = routeOf(pathname);
    const span = new Span(this.sink, traceId, parentId, `${method} ${route}`, SpanKind.server);
    span.addOne(methodAttribute(method)).addOne(routeAttribute(route)).set("url.path", pathname);
    request.headers.set(TRACEPARENT, span.traceparent);
    return span;
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
