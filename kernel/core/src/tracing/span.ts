/**
 * A recorded span and its OTLP/JSON form (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
 * Only sampled requests make spans; an ended span is copied into a shared ring and encoded by the
 * exporter worker (span-ring.ts, export-worker.ts), off the thread that serves requests.
 */
import { formatTraceParent, newSpanId } from "./ids.ts";

/** OTLP span kinds (`Span.SpanKind` of the OTLP protobuf). */
export const SpanKind = { internal: 1, server: 2, client: 3 } as const;
export type SpanKindCode = (typeof SpanKind)[keyof typeof SpanKind];

/** A span attribute's value, as OTLP can carry it. */
export type AttributeValue = string | number | boolean;

/** An OTLP `AnyValue` of the kinds the kernel writes. */
export interface OtlpAnyValue {
  readonly stringValue?: string;
  readonly intValue?: string;
  readonly doubleValue?: number;
  readonly boolValue?: boolean;
}

/** One OTLP attribute (`KeyValue`). */
export interface OtlpAttribute {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

/** An attribute as OTLP/JSON writes it: 64-bit integers as decimal strings. */
export function attribute(key: string, value: AttributeValue): OtlpAttribute {
  if (typeof value === "string") return { key, value: { stringValue: value } };
  if (typeof value === "boolean") return { key, value: { boolValue: value } };
  return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
}

/** Attributes made once and set on many spans: the span ring sends each to the exporter once. */
const shared = new WeakSet<OtlpAttribute>();

/** An attribute made once for many spans (see `isShared`). */
export function sharedAttribute(key: string, value: AttributeValue): OtlpAttribute {
  const item = attribute(key, value);
  shared.add(item);
  return item;
}

/** Whether `item` was made by `sharedAttribute`, so is worth sending once rather than per span. */
export function isShared(item: OtlpAttribute): boolean {
  return shared.has(item);
}

/**
 * Attributes of key `key` made once per value and shared by every span that has them (a route,
 * a method, a status code: few values, set on every sampled request), at most `max` values.
 */
export function sharedAttributes<V extends string | number>(
  key: string,
  max = 256,
): (value: V) => OtlpAttribute {
  const made = new Map<V, OtlpAttribute>();
  return (value) => {
    let item = made.get(value);
    if (item === undefined) {
      item = sharedAttribute(key, value);
      if (made.size < max) made.set(value, item);
    }
    return item;
  };
}

/**
 * A span as OTLP/JSON writes it, made off the main thread (the exporter worker decodes ended
 * spans from the ring, see span-ring.ts) or by the in-process exporter.
 */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span: `JSON.stringify` leaves it out. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: SpanKindCode;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly OtlpAttribute[];
  readonly status: { readonly code?: 2; readonly message?: string };
}

/** Where a span goes when it ends. */
export interface SpanSink {
  push(span: Span): void;
}

/** Read once: `performance.timeOrigin` is a call into the runtime on every read. */
const ORIGIN = performance.timeOrigin;

/** Milliseconds since the epoch with sub-millisecond precision (`Date.now()` has none). */
export function nowMs(): number {
  return ORIGIN + performance.now();
}

/** The last whole second written, and its digits: spans of one batch mostly share it. */
let lastSecond = -1;
let lastSecondText = "";
/** "000" to "999": the microseconds within a second are two of these, made once. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));

/**
 * Nanoseconds since the epoch, as a decimal string, from whole microseconds (exact: about 2^50,
 * where milliseconds times a million would pass 2^53 and round to 256 ns steps). The seconds'
 * digits are kept from the span before and the microseconds are two table look-ups: turning
 * numbers into text, and the strings that made, showed in profiles of the traced path.
 */
export function unixNanos(ms: number): string {
  const micros = Math.round(ms * 1000);
  const second = Math.floor(micros / 1_000_000);
  if (second <= 0) return `${micros}000`; // not a time of this era; never padded
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondText = String(second);
  }
  const within = (micros - second * 1_000_000) | 0; // below 10^6
  const thousands = (within / 1000) | 0;
  return `${lastSecondText}${THREE_DIGITS[thousands]}${THREE_DIGITS[within - thousands * 1000]}000`;
}

/**
 * One operation of a trace, recorded as a few plain fields (times as numbers, attributes as
 * shared objects): the sink copies it out when it ends, so no OTLP text is made on this thread.
 */
export class Span {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: SpanKindCode;
  /** Milliseconds since the epoch (see `nowMs`). */
  readonly startMs: number;
  /** Set by `end`. */
  endMs = 0;
  readonly attributes: OtlpAttribute[] = [];
  /** Why it failed; undefined while it has not. */
  failure: string | undefined = undefined;
  private readonly sink: SpanSink;
  private ended = false;
  private parentHeader: string | undefined = undefined;

  constructor(
    sink: SpanSink,
    traceId: string,
    parentSpanId: string | undefined,
    name: string,
    kind: SpanKindCode = SpanKind.internal,
    /** When it started; now unless told (a span made once its operation turned out to matter). */
    startMs: number = nowMs(),
  ) {
    this.traceId = traceId;
    this.spanId = newSpanId();
    this.parentSpanId = parentSpanId;
    this.name = name;
    this.kind = kind;
    this.sink = sink;
    this.startMs = startMs;
  }

  /** Sets one attribute (skipped when undefined); returns the span, for chaining. */
  set(key: string, value: AttributeValue | undefined): this {
    if (value !== undefined) this.attributes.push(attribute(key, value));
    return this;
  }

  /** Adds attributes made beforehand (the same for many spans, made once). */
  add(attributes: readonly OtlpAttribute[]): this {
    for (const item of attributes) this.attributes.push(item);
    return this;
  }

  /** Adds one attribute made beforehand. */
  addOne(item: OtlpAttribute): this {
    this.attributes.push(item);
    return this;
  }

  /** A span of this trace whose parent is this one. */
  child(name: string, kind: SpanKindCode = SpanKind.internal, startMs?: number): Span {
    return new Span(this.sink, this.traceId, this.spanId, name, kind, startMs);
  }

  /** Marks the span failed, with why. */
  fail(message: string): this {
    this.failure = message;
    return this;
  }

  /** The `traceparent` that makes this span the parent of whatever receives it. */
  get traceparent(): string {
    this.parentHeader ??= formatTraceParent(this.traceId, this.spanId, true);
    return this.parentHeader;
  }

  /** Ends the span (once; later calls do nothing) and hands it to the sink. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
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
