/**
 * Spans as an OTLP/JSON `ExportTraceServiceRequest` (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * ids in hex, times as decimal strings of nanoseconds, 64-bit integers as strings. Each span is
 * already JSON text (written by the ring's reader, span-ring.ts), so a batch is a join.
 */
import { type AttributeValue, attribute, type OtlpAttribute } from "./span.ts";

/** OTLP attributes of a plain record (the resource's, made once per exporter). */
export function otlpAttributes(record: Readonly<Record<string, AttributeValue>>): OtlpAttribute[] {
  const list: OtlpAttribute[] = [];
  for (const key in record) list.push(attribute(key, record[key] as AttributeValue));
  return list;
}

/** One export request's body for `spans` (each already OTLP/JSON text), all of one resource and one instrumentation scope. */
export function exportRequestJson(
  spans: readonly string[],
  resource: readonly OtlpAttribute[],
  scope: { readonly name: string; readonly version: string },
): string {
  const head = JSON.stringify({ resource: { attributes: resource } }).slice(0, -1);
  return `{"resourceSpans":[${head},"scopeSpans":[{"scope":${JSON.stringify(scope)},"spans":[${spans.join(",")}]}]}]}`;
}
