import { isUnderBase, type PluginHooks, type RequestContext } from "@buntime/sdk";
import type { AccessFigures } from "./access-record.ts";

export { ACCESS_NAMESPACE } from "./access-record.ts";

declare module "@buntime/sdk" {
  interface RequestLocals {
    /** `performance.now()` when the logs plugin's `onRequest` saw the request: the start of its access line's `durationMs`. */
    logsArrivedAt?: number;
    /** The request's trace id, set by the kernel while its tracing is on. */
    traceId?: string;
  }
}

/** Where access lines go: the figures of one request, which the store makes a line of when it is read. */
export interface AccessSink {
  recordAccess(...figures: AccessFigures): void;
}

/** The hooks that write access lines. */
export type AccessLogHooks = Required<Pick<PluginHooks, "onRequest" | "onResponse">>;

/**
 * One access line per request: `onRequest` notes in the request's locals when it arrived,
 * `onResponse` hands `sink` the method, path, status, duration, the request id and, while the
 * kernel traces, the trace id (`GET /hello/x 200` with the route is made of them when the line is
 * read). Requests under `skipBase` (the logs plugin's own API and UI) are not logged, so a tail
 * does not feed on itself.
 */
export function createAccessLog(sink: AccessSink, skipBase: string): AccessLogHooks {
  // With the base at /, the plugin's API shares the path space with everything else: log all of it.
  const ownBase = skipBase === "/" ? undefined : skipBase;
  return {
    onRequest(_request: Request, context: RequestContext): void {
      context.locals.logsArrivedAt = performance.now();
    },
    onResponse(response: Response, request: Request, context: RequestContext): void {
      const path = context.pathname;
      if (ownBase !== undefined && isUnderBase(path, ownBase)) return;
      const locals = context.locals;
      const start = locals.logsArrivedAt;
      const duration = start === undefined ? undefined : performance.now() - start;
      // the trace id from the kernel (tracing on), never from the request's headers: reading those costs a small request dearly
      sink.recordAccess(
        Date.now(),
        request.method,
        path,
        response.status,
        duration,
        context.requestId,
        locals.traceId,
      );
    },
  };
}
