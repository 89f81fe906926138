/**
 * The app's `traceparent` for a new trace the kernel started and does not record. The kernel
 * sends only the trace id (see `RequestMessage.trace`): making the header, its span id and its
 * text there would cost the thread that serves every HTTP request.
 */
import { formatTraceParent, newSpanId } from "../../tracing/ids.ts";
import type { HeaderList } from "../shared/protocol.ts";

/** `headers` with a `traceparent` for unrecorded trace `traceId`, unless they carry one (a plugin's wins). */
export function withUnrecordedTrace(headers: HeaderList, traceId: string): HeaderList {
  // unsampled: the app records nothing either; the span id names no recorded span
  if (headers.traceparent === undefined) headers.traceparent = formatTraceParent(traceId, newSpanId(), false);
  return headers;
}
