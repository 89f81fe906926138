/**
 * Spans as an OTLP/JSON `ExportTraceServiceRequest` (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * ids in hex, times as decimal strings of nanoseconds, 64-bit integers as strings.
 */
import type { AttributeValue, Span } from "./span.ts";

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
}

function anyValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** OTLP attributes of a plain record. */
export function otlpAttributes(
  record: Record<string, AttributeValue>,
): { key: string; value: OtlpAnyValue }[] {
  const list: { key: string; value: OtlpAnyValue }[] = [];
  for (const key in record) list.push({ key, value: anyValue(record[key] as AttributeValue) });
  return list;
}

/** The last whole second written, and its digits: spans of one export mostly share it. */
let lastSecond = -1;
let lastSecondText = "";

/**
 * Nanoseconds since the epoch, as a decimal string, from whole microseconds (exact: about 2^50,
 * where milliseconds times a million would pass 2^53 and round to 256 ns steps). The seconds'
 * digits are kept from the span before, since turning a 16-digit number into text showed in
 * profiles of the traced path; the microseconds within the second are 6 digits, zero-padded.
 */
export function unixNanos(ms: number): string {
  const micros = Math.round(ms * 1000);
  const second = Math.floor(micros / 1_000_000);
  if (second <= 0) return `${micros}000`; // not a time of this era; never padded
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondText = String(second);
  }
  return `${lastSecondText}${String(micros - second * 1_000_000 + 1_000_000).slice(1)}000`;
}

function otlpSpan(span: Span) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId !== undefined && { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: unixNanos(span.startMs),
    endTimeUnixNano: unixNanos(span.endMs),
    attributes: otlpAttributes(span.attributes),
    status:
      span.statusCode === 0
        ? {}
        : { code: span.statusCode, ...(span.statusMessage && { message: span.statusMessage }) },
  };
}

/** One export request's body for `spans`, all of one resource and one instrumentation scope. */
export function exportRequestJson(
  spans: readonly Span[],
  resource: Record<string, AttributeValue>,
  scope: { name: string; version: string },
): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: otlpAttributes(resource) },
        scopeSpans: [{ scope, spans: spans.map(otlpSpan) }],
      },
    ],
  });
}
