/**
 * A recorded span: ids, name, kind, times and attributes, kept as plain fields and turned into
 * OTLP only when a batch is exported (see otlp-json.ts). Only sampled requests make spans.
 */
import { newSpanId } from "./ids.ts";
import { formatTraceParent } from "./traceparent.ts";

/** OTLP span kinds (`Span.SpanKind` of the OTLP protobuf). */
export const SpanKind = { internal: 1, server: 2, client: 3 } as const;
export type SpanKindCode = (typeof SpanKind)[keyof typeof SpanKind];

/** A span attribute's value, as OTLP can carry it. */
export type AttributeValue = string | number | boolean;

/** Where a span goes when it ends. */
export interface SpanSink {
  push(span: Span): void;
}

/** Milliseconds since the epoch with sub-millisecond precision (`Date.now()` has none). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** One operation of a trace. */
export class Span {
  readonly spanId = newSpanId();
  endMs = 0;
  readonly attributes: Record<string, AttributeValue> = {};
  /** OTLP status: 0 unset, 2 error (a span is never marked ok by the kernel). */
  statusCode: 0 | 2 = 0;
  statusMessage: string | undefined;

  constructor(
    readonly sink: SpanSink,
    readonly traceId: string,
    readonly parentSpanId: string | undefined,
    public name: string,
    readonly kind: SpanKindCode = SpanKind.internal,
    /** When it started; now unless told (a span made once its operation turned out to matter). */
    readonly startMs: number = nowMs(),
  ) {}

  /** Sets one attribute; returns the span, for chaining. */
  set(key: string, value: AttributeValue | undefined): this {
    if (value !== undefined) this.attributes[key] = value;
    return this;
  }

  /** A span of this trace whose parent is this one. */
  child(name: string, kind: SpanKindCode = SpanKind.internal, startMs?: number): Span {
    return new Span(this.sink, this.traceId, this.spanId, name, kind, startMs);
  }

  /** Marks the span failed, with why. */
  fail(message: string): this {
    this.statusCode = 2;
    this.statusMessage = message;
    return this;
  }

  /** The `traceparent` that makes this span the parent of whatever receives it. */
  get traceparent(): string {
    return formatTraceParent(this.traceId, this.spanId, true);
  }

  /** Ends the span (once; later calls do nothing) and hands it to the exporter. */
  end(): void {
    if (this.endMs !== 0) return;
    this.endMs = nowMs();
    this.sink.push(this);
  }
}

/**
 * Ends `span` when `outcome` settles (at once when it is no promise), marking a thrown or
 * rejected outcome as failed; returns `outcome` unchanged.
 */
export function endWith<T>(span: Span, outcome: T | Promise<T>): T | Promise<T> {
  if (!(outcome instanceof Promise)) {
    span.end();
    return outcome;
  }
  return outcome.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.fail(error instanceof Error ? error.message : String(error)).end();
      throw error;
    },
  );
}
