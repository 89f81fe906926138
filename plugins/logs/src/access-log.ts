import type { LogEntry } from "@buntime/sdk";
import { pathnameOf } from "@buntime/sdk";

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

let cachedMs = 0;
let cachedIso = "";

/** `ms` as an ISO time; requests in the same millisecond share one string (toISOString is slow). */
function isoTime(ms: number): string {
  if (ms !== cachedMs) {
    cachedMs = ms;
    cachedIso = new Date(ms).toISOString();
  }
  return cachedIso;
}

function isUnder(pathname: string, base: string): boolean {
  return (
    pathname.startsWith(base) && (pathname.length === base.length || pathname.charCodeAt(base.length) === 47)
  );
}

/**
 * One access line per request: `onRequest` notes when it arrived, `onResponse` writes
 * `GET /hello/x 200` with method, path, route, status and duration. Requests under `skipBase`
 * (the logs plugin's own API and UI) are not logged, so a tail does not feed on itself.
 */
export class AccessLog {
  readonly #arrived = new WeakMap<Request, number>();
  readonly #write: (entry: LogEntry, ms: number) => void;
  readonly #skipBase: string | undefined;

  constructor(write: (entry: LogEntry, ms: number) => void, skipBase?: string) {
    this.#write = write;
    this.#skipBase = skipBase;
  }

  /** Notes the arrival time of `request`. */
  arrived(request: Request): void {
    this.#arrived.set(request, performance.now());
  }

  /** Writes the access line of `request` answered by `response`. */
  answered(response: Response, request: Request): void {
    const path = pathnameOf(request.url);
    if (this.#skipBase !== undefined && isUnder(path, this.#skipBase)) return;
    const start = this.#arrived.get(request);
    const status = response.status;
    const fields: Record<string, unknown> = { method: request.method, path, route: routeOf(path), status };
    if (start !== undefined) fields.durationMs = Math.round((performance.now() - start) * 1000) / 1000;
    const requestId = request.headers.get("x-request-id");
    if (requestId !== null) fields.requestId = requestId;
    const ms = Date.now();
    this.#write(
      {
        time: isoTime(ms),
        level: status >= 500 ? "error" : "info",
        namespace: ACCESS_NAMESPACE,
        message: `${request.method} ${path} ${status}`,
        fields,
      },
      ms,
    );
  }
}
