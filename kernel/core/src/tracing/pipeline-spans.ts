/** The spans of the request pipeline: plugin handlers and hooks that matter, under the server span. */
import type { MaybePromise } from "@buntime/sdk";
import { endWith, type Span } from "./span.ts";
import { TRACEPARENT } from "./traceparent.ts";

function hookSpan(parent: Span, plugin: string, stage: string, startMs?: number): Span {
  return parent
    .child(`${stage} ${plugin}`, undefined, startMs)
    .set("buntime.plugin", plugin)
    .set("buntime.hook", stage);
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/*
 * Hooks (`onRequest`, `onResponse`) get a span only when they return a promise or throw: most are
 * a synchronous map lookup (a rate limit's count, a metrics timestamp), and timing each would
 * cost more than the hook and bury the trace in zero-length bars. A slow synchronous hook shows
 * as time in its parent span that no child accounts for.
 */

/** Records the span of hook `stage` of `plugin` that returned `outcome`, a promise: it ends when that settles. */
export function hookAwaited<T>(
  parent: Span,
  plugin: string,
  stage: string,
  outcome: MaybePromise<T>,
): MaybePromise<T> {
  return endWith(hookSpan(parent, plugin, stage), outcome);
}

/** Records the (failed) span of hook `stage` of `plugin` that threw `error`. */
export function hookThrew(parent: Span, plugin: string, stage: string, error: unknown): void {
  hookSpan(parent, plugin, stage).fail(failure(error)).end();
}

/**
 * Runs handler `call` (plugin `plugin`'s `fetch`) in a child span of `parent`, with the
 * request's `traceparent` naming that span while it runs, so a plugin that forwards the request
 * (the router to the pool) continues the trace from it.
 */
export function traced<T>(parent: Span, plugin: string, stage: string, call: () => T, request: Request): T {
  const span = hookSpan(parent, plugin, stage);
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
