/**
 * Random trace and span ids, and the `traceparent` text naming them. This module imports
 * nothing, so the pool's worker bundle uses it too. Random bytes are drawn 4 KiB at a time and
 * turned into hex in one go; an id is then a slice of that text. One `getRandomValues` call per
 * id, or one hex conversion per id, costs more than the rest of an unsampled request's tracing.
 */
const bytes = Buffer.allocUnsafe(4096);
let hex = "";
/** Hex digits of `hex` handed out already. */
let used = 0;

function randomHex(digits: number): string {
  if (used + digits > hex.length) {
    crypto.getRandomValues(bytes);
    hex = bytes.toString("hex");
    used = 0;
  }
  const id = hex.slice(used, used + digits);
  used += digits;
  return id;
}

const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** A new 16-byte trace id, as 32 lower-case hex digits (never all zero). */
export function newTraceId(): string {
  const id = randomHex(32);
  return id === ZERO_TRACE ? newTraceId() : id;
}

/** A new 8-byte span id, as 16 lower-case hex digits (never all zero). */
export function newSpanId(): string {
  const id = randomHex(16);
  return id === ZERO_SPAN ? newSpanId() : id;
}

/** The W3C `traceparent` (version 00) naming span `spanId` of trace `traceId`. */
export function formatTraceParent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}
