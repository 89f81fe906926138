/** The spans of the request pipeline: plugin handlers and hooks that matter, under the server span. */
import type { MaybePromise } from "@buntime/sdk";
import { endWith, nowMs, type Span } from "./span.ts";
import { TRACEPARENT } from "./traceparent.ts";

/**
 * A synchronous hook that returns within this many milliseconds gets no span of its own: most
 * hooks are a map lookup (a rate limit's count, a metrics timestamp), and a span for each would
 * cost more than the hook and bury the trace in zero-length bars.
 */
export const QUIET_HOOK_MS = 0.05;

function hookSpan(parent: Span, plugin: string, stage: string, startMs: number): Span {
  return parent
    .child(`${stage} ${plugin}`, undefined, startMs)
    .set("buntime.plugin", plugin)
    .set("buntime.hook", stage);
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs hook `call` (plugin `plugin`'s `onRequest` or `onResponse`) and records a child span of
 * `parent` for it when it matters: it returned a promise, threw, or took `QUIET_HOOK_MS` or more.
 * The request's `traceparent` is left naming `parent`.
 */
export function tracedHook<T>(parent: Span, plugin: string, stage: string, call: () => T): T {
  const startMs = nowMs();
  let outcome: T;
  try {
    outcome = call();
  } catch (error) {
    hookSpan(parent, plugin, stage, startMs).fail(failure(error)).end();
    throw error;
  }
  if (outcome instanceof Promise) return endWith(hookSpan(parent, plugin, stage, startMs), outcome) as T;
  if (nowMs() - startMs >= QUIET_HOOK_MS) hookSpan(parent, plugin, stage, startMs).end();
  return outcome;
}

/**
 * Runs handler `call` (plugin `plugin`'s `fetch`) in a child span of `parent`, with the
 * request's `traceparent` naming that span while it runs, so a plugin that forwards the request
 * (the router to the pool) continues the trace from it.
 */
export function traced<T>(parent: Span, plugin: string, stage: string, call: () => T, request: Request): T {
  const span = hookSpan(parent, plugin, stage, nowMs());
  request.headers.set(TRACEPARENT, span.traceparent);
  let outcome: T;
  try {
    outcome = call();
  } catch (error) {
    span.fail(failure(error)).end();
    throw error;
  }
  return endWith(span, outcome) as T;
}

/** Ends the server span once `response` is known, with its status (5xx marks the span failed). */
export function endServerSpan(span: Span, response: MaybePromise<Response>, requestId: string): void {
  const end = (final: Response) => {
    span.set("http.response.status_code", final.status).set("buntime.request_id", requestId);
    if (final.status >= 500) span.fail(`HTTP ${final.status}`);
    span.end();
  };
  if (response instanceof Promise) response.then(end, () => span.fail("no response").end());
  else end(response);
}

/** The route of a path as spans name it: its first segment without `@version` (`/hello@1/x` → `/hello`). */
export function routeOf(pathname: string): string {
  const next = pathname.indexOf("/", 1);
  const first = next === -1 ? pathname : pathname.slice(0, next);
  const at = first.indexOf("@", 2);
  return at === -1 ? first : first.slice(0, at);
}
