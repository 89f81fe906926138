/**
 * Spans as an OTLP/JSON `ExportTraceServiceRequest` (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * ids in hex, times as decimal strings of nanoseconds, 64-bit integers as strings. A span is
 * already in OTLP's shape (see span.ts), so a batch is one `JSON.stringify` of an envelope.
 */
import { type AttributeValue, attribute, type OtlpAttribute, type OtlpSpan } from "./span.ts";

/** OTLP attributes of a plain record (the resource's, made once per exporter). */
export function otlpAttributes(record: Readonly<Record<string, AttributeValue>>): OtlpAttribute[] {
  const list: OtlpAttribute[] = [];
  for (const key in record) list.push(attribute(key, record[key] as AttributeValue));
  return list;
}

/** One export request's body for `spans`, all of one resource and one instrumentation scope. */
export function exportRequestJson(
  spans: readonly OtlpSpan[],
  resource: readonly OtlpAttribute[],
  scope: { readonly name: string; readonly version: string },
): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope, spans }] }],
  });
}
