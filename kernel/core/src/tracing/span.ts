/**
 * A recorded span, kept as OTLP/JSON wants it (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding)
 * from the start, so a batch is sent with one `JSON.stringify` and no copying (a copy per span
 * showed in profiles of the traced path). Only sampled requests make spans.
 */
import { newSpanId } from "./ids.ts";
import { formatTraceParent } from "./traceparent.ts";

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
      item = attribute(key, value);
      if (made.size < max) made.set(value, item);
    }
    return item;
  };
}

/** OTLP status: unset (shared, never changed), or 2 (error) with why. */
type Status = { readonly code?: 2; readonly message?: string };
const UNSET: Status = Object.freeze({});

/**
 * A span as OTLP/JSON writes it. A plain object of one shape: `JSON.stringify` walks such
 * objects about four times faster than instances of a class with private fields.
 */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span: `JSON.stringify` leaves it out. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: SpanKindCode;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  readonly attributes: OtlpAttribute[];
  status: Status;
}

/** Where a span goes when it ends. */
export interface SpanSink {
  push(span: OtlpSpan): void;
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

/** One operation of a trace: records into its OTLP form (`otlp`), which goes to the sink at the end. */
export class Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly otlp: OtlpSpan;
  private readonly sink: SpanSink;
  private readonly startMs: number;
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
    const spanId = newSpanId();
    this.traceId = traceId;
    this.spanId = spanId;
    this.sink = sink;
    this.startMs = startMs;
    this.otlp = {
      traceId,
      spanId,
      parentSpanId,
      name,
      kind,
      startTimeUnixNano: "",
      endTimeUnixNano: "",
      attributes: [],
      status: UNSET,
    };
  }

  /** Sets one attribute (skipped when undefined); returns the span, for chaining. */
  set(key: string, value: AttributeValue | undefined): this {
    if (value !== undefined) this.otlp.attributes.push(attribute(key, value));
    return this;
  }

  /** Adds attributes made beforehand (the same for many spans, made once). */
  add(attributes: readonly OtlpAttribute[]): this {
    for (const item of attributes) this.otlp.attributes.push(item);
    return this;
  }

  /** Adds one attribute made beforehand. */
  addOne(item: OtlpAttribute): this {
    this.otlp.attributes.push(item);
    return this;
  }

  /** A span of this trace whose parent is this one. */
  child(name: string, kind: SpanKindCode = SpanKind.internal, startMs?: number): Span {
    return new Span(this.sink, this.traceId, this.spanId, name, kind, startMs);
  }

  /** Marks the span failed, with why. */
  fail(message: string): this {
    this.otlp.status = { code: 2, message };
    return this;
  }

  /** The `traceparent` that makes this span the parent of whatever receives it. */
  get traceparent(): string {
    this.parentHeader ??= formatTraceParent(this.traceId, this.spanId, true);
    return this.parentHeader;
  }

  /** Ends the span (once; later calls do nothing) and hands it to the exporter. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.otlp.startTimeUnixNano = unixNanos(this.startMs);
    this.otlp.endTimeUnixNano = unixNanos(nowMs());
    this.sink.push(this.otlp);
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
