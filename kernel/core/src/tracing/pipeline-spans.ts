/** The spans of the request pipeline: plugin handlers and hooks that matter, under the server span. */
import type { MaybePromise } from "@buntime/sdk";
import { endWith, type OtlpAttribute, type Span, sharedAttribute, sharedAttributes } from "./span.ts";
import { TRACEPARENT } from "./traceparent.ts";
import type { Tracer } from "./tracer.ts";

/** A hook's span name and attributes, made once per plugin and stage (plugins are few). */
interface HookLabel {
  readonly name: string;
  readonly attributes: readonly OtlpAttribute[];
}

/** Labels by stage, then by plugin name (strings the plugin table keeps, so looked up without building a key). */
const labels = new Map<string, Map<string, HookLabel>>();
/** Past this many per stage, labels are made per span rather than kept (a kernel reloading plugins for ever). */
const MAX_LABELS = 1024;

function hookSpan(parent: Span, plugin: string, stage: string): Span {
  let byPlugin = labels.get(stage);
  if (byPlugin === undefined) {
    byPlugin = new Map();
    labels.set(stage, byPlugin);
  }
  let label = byPlugin.get(plugin);
  if (label === undefined) {
    const attributes = [sharedAttribute("buntime.plugin", plugin), sharedAttribute("buntime.hook", stage)];
    label = { name: `${stage} ${plugin}`, attributes };
    if (byPlugin.size < MAX_LABELS) byPlugin.set(plugin, label);
  }
  return parent.child(label.name).add(label.attributes);
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
 * (the router to the pool) continues the trace from it. While `call` runs synchronously the
 * span is also `tracer.active`, which spares the pool parsing that header again.
 */
export function traced<T>(tracer: Tracer, parent: Span, plugin: string, call: () => T, request: Request): T {
  const span = hookSpan(parent, plugin, "fetch");
  request.headers.set(TRACEPARENT, span.traceparent);
  const outer = tracer.active;
  tracer.active = span;
  let outcome: T;
  try {
    outcome = call();
  } catch (error) {
    span.fail(failure(error)).end();
    throw error;
  } finally {
    tracer.active = outer;
  }
  return endWith(span, outcome) as T;
}

/** The response status of a span, shared by every span with that status. */
export const statusAttribute = sharedAttributes<number>("http.response.status_code", 600);

/** Ends the server span once `response` is known, with its status (5xx marks the span failed). */
export function endServerSpan(span: Span, response: MaybePromise<Response>, requestId: string): void {
  const end = (final: Response) => {
    span.addOne(statusAttribute(final.status)).set("buntime.request_id", requestId);
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
