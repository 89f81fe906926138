/** The spans of the request pipeline: one per plugin hook or handler, under the server span. */
import type { MaybePromise } from "@buntime/sdk";
import { endWith, type Span } from "./span.ts";
import { TRACEPARENT } from "./traceparent.ts";

/**
 * Runs `call` (plugin `plugin`'s `stage`: `onRequest`, `fetch`, `onResponse`) in a child span of
 * `parent`. With `request`, its `traceparent` names the child while it runs, so a plugin that
 * forwards the request (the proxy, the router to the pool) continues from this span.
 */
export function traced<T>(parent: Span, plugin: string, stage: string, call: () => T, request?: Request): T {
  const span = parent.child(`${stage} ${plugin}`).set("buntime.plugin", plugin).set("buntime.hook", stage);
  if (request !== undefined) request.headers.set(TRACEPARENT, span.traceparent);
  let outcome: T;
  try {
    outcome = call();
  } catch (error) {
    span.fail(error instanceof Error ? error.message : String(error)).end();
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
