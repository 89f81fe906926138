import {
  BuntimeError,
  canonicalPath,
  isUnderBase,
  type Logger,
  PathRefusal,
  pathnameOf,
  type RequestContext,
  type RequestLocals,
} from "@buntime/sdk";
import { hookFailure, settleWithin } from "../hooks/call-with-timeout.ts";
import type { Span, Tracer } from "../tracing/index.ts";
import { endServerSpan, hookAwaited, hookThrew, traced } from "../tracing/pipeline-spans.ts";
import { checkCsrf } from "./csrf.ts";
import type { MaybePromise } from "./maybe-async.ts";
import type { PluginTable } from "./plugin-table.ts";
import { newRequestId, REQUEST_ID_HEADER, trustedRequestIdOf, withHeader } from "./request-id.ts";

const KERNEL_API_PREFIX = "/_/api";

export interface DispatchOptions {
  /** The table of running plugins at the moment a request arrives. */
  currentTable(): PluginTable;
  /** The kernel's own API at `/_/api/*`. */
  kernelApi(request: Request, context: RequestContext): MaybePromise<Response>;
  /** The address of the client that sent `request`, when the kernel's server received it. */
  clientAddress(request: Request): string | undefined;
  hookTimeout: number;
  trustedOrigins: ReadonlySet<string>;
  /** Whether a plugin vouches for `origin` writing to `pathname` (`kernel:origins`). */
  vouched?: (origin: string, pathname: string) => Promise<boolean>;
  /** Keep a sane `x-request-id` sent by the caller instead of always making a fresh one. */
  trustRequestId: boolean;
  logger: Logger;
  /** Records spans and carries `traceparent`; undefined (the default) traces nothing. */
  tracer?: Tracer;
}

/**
 * One request on its way through the pipeline, and the context its hooks see: a class, so a
 * request that no plugin asks for `locals` or the client's address allocates neither.
 */
class Flow implements RequestContext {
  readonly table: PluginTable;
  readonly requestId: string;
  readonly request: Request;
  /** The canonical path (see `canonicalPath`): every plugin decides on this one. */
  readonly pathname: string;
  readonly #addressOf: (request: Request) => string | undefined;
  #locals: RequestLocals | undefined;
  /** The request's trace id, while tracing is on. */
  traceId: string | undefined;
  /** The server span, when the request is sampled. */
  span: Span | undefined;

  constructor(
    table: PluginTable,
    requestId: string,
    request: Request,
    pathname: string,
    addressOf: (request: Request) => string | undefined,
  ) {
    this.table = table;
    this.requestId = requestId;
    this.request = request;
    this.pathname = pathname;
    this.#addressOf = addressOf;
    this.traceId = undefined;
    this.span = undefined;
  }

  /** Made when a plugin first asks, with the trace id in it while tracing is on. */
  get locals(): RequestLocals {
    this.#locals ??= this.traceId === undefined ? {} : { traceId: this.traceId };
    return this.#locals;
  }

  clientAddress(): string | undefined {
    return this.#addressOf(this.request);
  }
}

/** What an `onRequest` hook returned, if it answers the request. */
function answered(outcome: unknown): Response | undefined {
  return outcome instanceof Response ? outcome : undefined;
}

/**
 * The request pipeline: canonical path (400 when it has none) → CSRF check → `onRequest` hooks → kernel API → plugins by base,
 * longest first → 404 → `onResponse` hooks (reverse order), then the request id header.
 * A hook that throws or hangs costs this request a 500, never the kernel. Each stage runs
 * synchronously unless a hook or handler returns a pending promise.
 */
export function createDispatcher(options: DispatchOptions): (request: Request) => MaybePromise<Response> {
  const { hookTimeout, trustedOrigins, logger, tracer } = options;
  const vouched = options.vouched ?? (async () => false);
  const requestIdOf = options.trustRequestId ? trustedRequestIdOf : newRequestId;

  /** Turns any failure into the JSON error a client gets, logging what the client is not told. */
  function failure(flow: Flow, error: unknown): Response {
    const known =
      error instanceof BuntimeError ? error : new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error });
    const cause = known.cause instanceof Error ? known.cause : undefined;
    logger.error(known.message, {
      requestId: flow.requestId,
      traceId: flow.traceId,
      plugin: known.plugin,
      code: known.code,
      cause,
    });
    return known.getResponse();
  }

  function requestHooks(flow: Flow, from: number): MaybePromise<Response> {
    const hooks = flow.table.requestHooks;
    for (let index = from; index < hooks.length; index++) {
      const hook = hooks[index] as (typeof hooks)[number];
      let outcome: ReturnType<typeof hook.fn>;
      try {
        outcome = hook.fn(flow.request, flow);
      } catch (error) {
        if (flow.span) hookThrew(flow.span, hook.plugin, "onRequest", error);
        throw hookFailure(hook.plugin, "onRequest", error);
      }
      if (outcome === undefined) continue; // the common no-op hook
      if (outcome instanceof Promise) {
        outcome = settleWithin(hook.plugin, "onRequest", hookTimeout, outcome);
        if (flow.span) outcome = hookAwaited(flow.span, hook.plugin, "onRequest", outcome);
      }
      if (outcome instanceof Promise) {
        return outcome.then((resolved) => answered(resolved) ?? requestHooks(flow, index + 1));
      }
      const response = answered(outcome);
      if (response) return response;
    }
    if (isUnderBase(flow.pathname, KERNEL_API_PREFIX)) return options.kernelApi(flow.request, flow);
    return handlers(flow, 0);
  }

  function handlers(flow: Flow, from: number): MaybePromise<Response> {
    const mounted = flow.table.handlers;
    for (let index = from; index < mounted.length; index++) {
      const handler = mounted[index] as (typeof mounted)[number];
      if (!isUnderBase(flow.pathname, handler.base)) continue;
      let outcome: MaybePromise<Response | undefined | void>;
      const span = flow.span;
      try {
        outcome =
          span === undefined || tracer === undefined
            ? handler.handle(flow.request, flow)
            : traced(tracer, span, handler.plugin, () => handler.handle(flow.request, flow), flow.request);
      } catch (error) {
        throw hookFailure(handler.plugin, "fetch", error);
      }
      if (outcome instanceof Promise) {
        return outcome.then(
          (resolved) => resolved ?? handlers(flow, index + 1),
          (error) => {
            throw hookFailure(handler.plugin, "fetch", error);
          },
        );
      }
      if (outcome) return outcome;
    }
    return new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: flow.pathname }).getResponse();
  }

  function responseHooks(flow: Flow, response: Response, from: number): MaybePromise<Response> {
    const hooks = flow.table.responseHooks;
    for (let index = from; index < hooks.length; index++) {
      const hook = hooks[index] as (typeof hooks)[number];
      let outcome: ReturnType<typeof hook.fn>;
      try {
        outcome = hook.fn(response, flow.request, flow);
      } catch (error) {
        if (flow.span) hookThrew(flow.span, hook.plugin, "onResponse", error);
        throw hookFailure(hook.plugin, "onResponse", error);
      }
      if (outcome === undefined) continue;
      if (outcome instanceof Promise) {
        outcome = settleWithin(hook.plugin, "onResponse", hookTimeout, outcome);
        if (flow.span) outcome = hookAwaited(flow.span, hook.plugin, "onResponse", outcome);
      }
      if (outcome instanceof Promise) {
        return outcome.then((resolved) => responseHooks(flow, resolved ?? response, index + 1));
      }
      if (outcome) response = outcome;
    }
    return response;
  }

  function produce(flow: Flow): MaybePromise<Response> {
    const refused = checkCsrf(flow.request, flow.pathname, trustedOrigins);
    if (refused === undefined) return requestHooks(flow, 0);
    // a cross-site write the kernel would refuse: a plugin (the router, for an app's cors rules) may vouch for it
    const origin = flow.request.headers.get("origin");
    if (origin === null) return refused;
    return vouched(origin, flow.pathname).then((yes) => (yes ? requestHooks(flow, 0) : refused));
  }

  /**
   * The request id header, then the response hooks (so they can read the id), after `produce`
   * gave a response. A response a hook put in its place gets the header too.
   */
  function finish(flow: Flow, response: Response): MaybePromise<Response> {
    const stamped = withHeader(response, REQUEST_ID_HEADER, flow.requestId);
    let finished: MaybePromise<Response>;
    try {
      finished = responseHooks(flow, stamped, 0);
    } catch (error) {
      finished = failure(flow, error);
    }
    if (finished === stamped) return stamped; // the common case: no hook replaced it
    const restamp = (final: Response) =>
      final === stamped ? final : withHeader(final, REQUEST_ID_HEADER, flow.requestId);
    if (finished instanceof Promise) {
      return finished.then(restamp, (error) => restamp(failure(flow, error)));
    }
    return restamp(finished);
  }

  /** Stamps and finishes a produced response, then lets the plugin table go. */
  function complete(flow: Flow, response: Response): MaybePromise<Response> {
    const finished = finish(flow, response);
    const span = flow.span;
    if (span !== undefined) endServerSpan(span, finished, flow.requestId);
    if (finished instanceof Promise) return finished.finally(() => flow.table.leave());
    flow.table.leave();
    return finished;
  }

  return function dispatch(request: Request): MaybePromise<Response> {
    const pathname = canonicalPath(pathnameOf(request.url));
    if (pathname instanceof PathRefusal) {
      // before any hook: no plugin may see, let alone decide on, a path with two readings
      return new BuntimeError("BUNTIME_ERR_PATH_INVALID", { reason: pathname.reason }).getResponse({
        [REQUEST_ID_HEADER]: requestIdOf(request),
      });
    }
    const table = options.currentTable();
    const flow = new Flow(table, requestIdOf(request), request, pathname, options.clientAddress);
    if (tracer !== undefined) {
      const started = tracer.startRequest(request, pathname);
      if (typeof started === "string") flow.traceId = started;
      else {
        flow.span = started;
        flow.traceId = started.traceId;
      }
    }
    table.enter();
    let produced: MaybePromise<Response>;
    try {
      produced = produce(flow);
    } catch (error) {
      produced = failure(flow, error);
    }
    if (produced instanceof Promise) {
      // one reaction for the whole tail: each extra promise step costs a visible share of a small request
      return produced.then(
        (response) => complete(flow, response),
        (error) => complete(flow, failure(flow, error)),
      );
    }
    return complete(flow, produced);
  };
}
