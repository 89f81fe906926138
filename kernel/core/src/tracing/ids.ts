/**
 * Random trace and span ids, and the `traceparent` text naming them. Every id is cut from an
 * unsampled `traceparent` made in advance, 170 at a time from 4 KiB of random bytes: one
 * `getRandomValues` call per id, or one hex conversion per id, costs more than the rest of an
 * unsampled request's tracing.
 */

/** The W3C `traceparent` (version 00) naming span `spanId` of trace `traceId`. */
export function formatTraceParent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}

/** Random bytes of a trace id and of a span id; each is twice as many hex digits. */
const TRACE_BYTES = 16;
const SPAN_BYTES = 8;
/** Where a version 00 `traceparent` holds its trace id and its parent (span) id. */
const TRACE_ID_AT = "00-".length;
const SPAN_ID_AT = TRACE_ID_AT + 2 * TRACE_BYTES + "-".length;
const RECORD_LENGTH = SPAN_ID_AT + 2 * SPAN_BYTES + "-00".length;
/** Unsampled `traceparent`s made per 4 KiB of random bytes. */
const RECORD_BYTES = TRACE_BYTES + SPAN_BYTES;
const RECORDS = Math.floor(4096 / RECORD_BYTES);
/** The records' text, rewritten in place: only the hex digits change, the dashes and flags stay. */
const recordText = Buffer.from(
  formatTraceParent("0".repeat(2 * TRACE_BYTES), "0".repeat(2 * SPAN_BYTES), false).repeat(RECORDS),
  "latin1",
);
const recordRandom = new Uint8Array(RECORDS * RECORD_BYTES);
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
const DIGIT_ONE = HEX_DIGITS[1] as number;
/** The records as a string; each header handed out is a slice of it, which copies nothing. */
let records = "";
/** Characters of `records` handed out already. */
let handed = 0;

/**
 * Writes `count` random bytes from `from` as hex digits at `at` of the records' text; returns
 * their bitwise OR (0: an all-zero id). By hand rather than joining `toString("hex")` slices:
 * joining costs the serving thread about 60 ns per record, this loop about 40.
 */
function hexInto(from: number, count: number, at: number): number {
  let any = 0;
  for (let i = 0; i < count; i++) {
    const byte = recordRandom[from + i] as number;
    any |= byte;
    recordText[at + 2 * i] = HEX_DIGITS[byte >> 4] as number;
    recordText[at + 2 * i + 1] = HEX_DIGITS[byte & 15] as number;
  }
  return any;
}

function refillRecords(): void {
  crypto.getRandomValues(recordRandom);
  for (let record = 0; record < RECORDS; record++) {
    const at = record * RECORD_LENGTH;
    const from = record * RECORD_BYTES;
    // an id is never all zero: such a one (1 in 2^64 at least) ends in 1 instead
    if (hexInto(from, TRACE_BYTES, at + TRACE_ID_AT) === 0) {
      recordText[at + TRACE_ID_AT + 2 * TRACE_BYTES - 1] = DIGIT_ONE;
    }
    if (hexInto(from + TRACE_BYTES, SPAN_BYTES, at + SPAN_ID_AT) === 0) {
      recordText[at + SPAN_ID_AT + 2 * SPAN_BYTES - 1] = DIGIT_ONE;
    }
  }
  records = recordText.toString("latin1");
  handed = 0;
}

/** The trace id a version 00 `traceparent` names. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(TRACE_ID_AT, TRACE_ID_AT + 2 * TRACE_BYTES);
}

/**
 * The `traceparent` of a new trace nobody records: a random trace id (see `traceIdOf`), a
 * random parent id, unsampled. The kernel hands it on as it is, so it is made whole in advance:
 * joining its parts for each request, or later reading such a joined string whole, costs a
 * visible share of a small request.
 */
export function newUnsampledTraceParent(): string {
  if (handed === records.length) refillRecords();
  const traceparent = records.slice(handed, handed + RECORD_LENGTH);
  handed += RECORD_LENGTH;
  return traceparent;
}

/** A new 16-byte trace id, as 32 lower-case hex digits (never all zero). */
export function newTraceId(): string {
  return traceIdOf(newUnsampledTraceParent());
}

/** A new 8-byte span id, as 16 lower-case hex digits (never all zero). */
export function newSpanId(): string {
  return newUnsampledTraceParent().slice(SPAN_ID_AT, SPAN_ID_AT + 2 * SPAN_BYTES);
}
