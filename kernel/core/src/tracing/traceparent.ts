/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header a caller
 * sends, checked strictly, and the one the kernel sends on. A header that fails any rule is
 * treated as absent (the spec's "restart the trace"), never passed on half-checked.
 */
import { TRACEPARENT_HEADER } from "@buntime/sdk";

/** The parts of a valid `traceparent`. */
export interface TraceParent {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lower-case hex digits, not all zero: the caller's span. */
  readonly parentId: string;
  /** The caller recorded its span (the `sampled` flag). */
  readonly sampled: boolean;
}

/** The header names (the sdk's, where plugins read it too). */
export const TRACEPARENT = TRACEPARENT_HEADER;
export const TRACESTATE = "tracestate";

// version 00 is exactly these four fields; a later version may append more after a `-`
const FIELDS = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
/** The spec's own limit on `tracestate`, and the characters its list members may use. */
const MAX_TRACESTATE = 512;
const TRACESTATE_CHARS = /^[\x20-\x7e]*$/;

/** Parses a `traceparent` header; undefined when absent or invalid in any way. */
export function parseTraceParent(header: string | null | undefined): TraceParent | undefined {
  if (header === null || header === undefined || header.length > 512) return undefined;
  const match = FIELDS.exec(header);
  if (match === null) return undefined;
  const [, version, traceId, parentId, flags, more] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === "ff" || (version === "00" && more !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** The caller's `tracestate` when it may be passed on beside a valid `traceparent`, else undefined. */
export function saneTraceState(header: string | null): string | undefined {
  if (header === null || header.length > MAX_TRACESTATE || !TRACESTATE_CHARS.test(header)) return undefined;
  return header;
}
