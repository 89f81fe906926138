import { isUnderBase, type LogEntry, type PluginHooks, type RequestContext } from "@buntime/sdk";

declare module "@buntime/sdk" {
  interface RequestLocals {
    /** `performance.now()` when the logs plugin's `onRequest` saw the request: the start of its access line's `durationMs`. */
    logsArrivedAt?: number;
    /** The request's trace id, set by the kernel while its tracing is on. */
    traceId?: string;
  }
}

/** The namespace of access lines. */
export const ACCESS_NAMESPACE = "http";

/** `/hello@^1/x` → `/hello`: the first path segment without its version. */
function routeOf(pathname: string): string {
  let end = pathname.indexOf("/", 1);
  if (end === -1) end = pathname.length;
  const at = pathname.indexOf("@", 1);
  if (at !== -1 && at < end) end = at;
  return end <= 1 ? "/" : pathname.slice(0, end);
}

/** The hooks that write access lines. */
export type AccessLogHooks = Required<Pick<PluginHooks, "onRequest" | "onResponse">>;

/**
 * One access line per request: `onRequest` notes in the request's locals when it arrived,
 * `onResponse` writes `GET /hello/x 200` with method, path, route, status, duration, the
 * request id and, while the kernel traces, the trace id. Requests under `skipBase` (the logs plugin's own API and UI) are not logged, so a
 * tail does not feed on itself.
 */
export function createAccessLog(
  write: (entry: LogEntry, ms: number) => void,
  skipBase: string,
): AccessLogHooks {
  // With the base at /, the plugin's API shares the path space with everything else: log all of it.
  const ownBase = skipBase === "/" ? undefined : skipBase;
  // Requests in the same millisecond share one time string (toISOString is slow).
  let isoMs = 0;
  let iso = "";
  return {
    onRequest(_request: Request, context: RequestContext): void {
      context.locals.logsArrivedAt = performance.now();
    },
    onResponse(response: Response, request: Request, context: RequestContext): void {
      const path = context.pathname;
      if (ownBase !== undefined && isUnderBase(path, ownBase)) return;
      const start = context.locals.logsArrivedAt;
      const status = response.status;
      const fields: Record<string, unknown> = { method: request.method, path, route: routeOf(path), status };
      if (start !== undefined) fields.durationMs = Math.round((performance.now() - start) * 1000) / 1000;
      fields.requestId = context.requestId;
      // from the kernel (tracing on), never from the request's headers: reading those costs a small request dearly
      const traceId = context.locals.traceId;
      if (traceId !== undefined) fields.traceId = traceId;
      const ms = Date.now();
      if (ms !== isoMs) {
        isoMs = ms;
        iso = new Date(ms).toISOString();
      }
      write(
        {
          time: iso,
          level: status >= 500 ? "error" : "info",
          namespace: ACCESS_NAMESPACE,
          message: `${request.method} ${path} ${status}`,
          fields,
        },
        ms,
      );
    },
  };
}
