/**
 * The worker pool's spans: each dispatch to a worker (a client span, which the app sees as the
 * parent in its `traceparent`), and each worker spawn a dispatch caused, under that dispatch.
 */
import { type TraceCarrier, UNRECORDED_TRACEPARENT } from "@buntime/sdk";
import type { RequestOverrides } from "../pool/main/request-table.ts";
import { statusAttribute } from "./pipeline-spans.ts";
import { type OtlpAttribute, type Span, SpanKind, sharedAttribute } from "./span.ts";
import { parseTraceParent, TRACEPARENT } from "./traceparent.ts";
import type { Tracer } from "./tracer.ts";

/** What a spawn span needs of a worker. */
interface StartedWorker {
  readonly id: number | string;
  readonly spec: { readonly key: string };
  readonly ready: Promise<boolean>;
}

/** Whether a `traceparent`'s flags (characters 53 and 54) have the sampled bit; the full check comes after. */
function flaggedSampled(header: string): boolean {
  return header.length >= 55 && (Number.parseInt(header.charAt(54), 16) & 1) === 1;
}

/**
 * The `traceparent` header the pool's tracing must look at, or null when it has nothing to do:
 * a request with none, or a new trace the kernel started and does not record. Most traced
 * requests are the latter, known by the `traceparent` the kernel keeps beside them; they go the
 * plain way, without reading a header, and the pool sends that `traceparent` on for the app's
 * worker to give the app (`requestMessage`). A `traceparent` header a plugin adds to such
 * a request still reaches the app, but gets no dispatch span: the kernel decided not to record
 * that trace.
 */
export function recordedTraceParent(request: Request): string | null {
  if ((request as TraceCarrier)[UNRECORDED_TRACEPARENT] !== undefined) return null;
  return request.headers.get(TRACEPARENT);
}

/** `overrides` with a `traceparent` header added; built by hand: object spreads showed in profiles. */
function withTraceParent(overrides: RequestOverrides | undefined, traceparent: string): RequestOverrides {
  const headers: Record<string, string | null> = {};
  const given = overrides?.headers;
  for (const name in given) headers[name] = given[name] as string | null;
  headers[TRACEPARENT] = traceparent;
  return overrides?.url === undefined ? { headers } : { url: overrides.url, headers };
}

/** Past this many apps, a dispatch span's app attributes are made per span rather than kept. */
const MAX_APPS = 4096;

/** The pool's side of tracing. */
export class PoolTracing {
  /** The dispatch whose synchronous part is running: a worker started now starts for it. */
  #spawnParent: Span | undefined;
  /** Each app's span name and attributes, made once. */
  readonly #apps = new Map<string, { name: string; attributes: readonly OtlpAttribute[] }>();

  constructor(readonly tracer: Tracer) {}

  /**
   * Runs `send` in a dispatch span continuing `header`, the request's `traceparent` (the kernel's
   * span for the plugin that called the pool), passing the app a `traceparent` naming that span.
   * A request whose trace is not sampled is sent with the header it carries. (A request with no
   * header, or with an unrecorded trace the kernel started, is not brought here: see
   * `recordedTraceParent`.)
   */
  fetch(
    header: string,
    app: { readonly key: string; readonly isolation: string },
    overrides: RequestOverrides | undefined,
    send: (overrides: RequestOverrides | undefined) => Promise<Response>,
  ): Promise<Response> {
    const span = this.#dispatchSpan(header, app);
    if (span === undefined) return send(overrides);
    const amended = withTraceParent(overrides, span.traceparent);
    this.#spawnParent = span;
    let response: Promise<Response>;
    try {
      response = send(amended);
    } finally {
      this.#spawnParent = undefined;
    }
    return response.then(
      (answer) => {
        span.addOne(statusAttribute(answer.status));
        if (answer.status >= 500) span.fail(`HTTP ${answer.status}`);
        span.end();
        return answer;
      },
      (error: unknown) => {
        span.fail(error instanceof Error ? error.message : String(error)).end();
        throw error;
      },
    );
  }

  /**
   * The dispatch span for a request whose `traceparent` is `header`, or undefined when its trace
   * is not sampled. The usual caller (a plugin's handler, while its span is the tracer's active
   * one) sent the header that span wrote: then the span is the parent as it is, nothing parsed.
   */
  #dispatchSpan(header: string, app: { readonly key: string; readonly isolation: string }): Span | undefined {
    const active = this.tracer.active;
    if (active !== undefined && header === active.traceparent) {
      const label = this.#label(app);
      return active.child(label.name, SpanKind.client).add(label.attributes);
    }
    // most requests of a sampled-down trace are not recorded: their flags say so, no parse needed
    if (!flaggedSampled(header)) return undefined;
    const parent = parseTraceParent(header);
    if (parent === undefined || !parent.sampled) return undefined;
    const label = this.#label(app);
    return this.tracer.childOf(parent, label.name, SpanKind.client)?.add(label.attributes);
  }

  #label(app: { readonly key: string; readonly isolation: string }) {
    let label = this.#apps.get(app.key);
    if (label === undefined) {
      const attributes = [
        sharedAttribute("buntime.app", app.key),
        sharedAttribute("buntime.isolation", app.isolation),
      ];
      label = { name: `pool ${app.key}`, attributes };
      if (this.#apps.size < MAX_APPS) this.#apps.set(app.key, label);
    }
    return label;
  }

  /** A worker started: a spawn span under the dispatch that caused it, ended once it loaded (or failed to). */
  workerStarted(worker: StartedWorker): void {
    const parent = this.#spawnParent;
    if (parent === undefined) return;
    const span = parent.child(`spawn ${worker.spec.key}`);
    span.set("buntime.app", worker.spec.key).set("buntime.worker_id", String(worker.id));
    void worker.ready.then((loaded) => {
      if (!loaded) span.fail("the worker failed to load");
      span.end();
    });
  }
}
