/**
 * Tracing for the kernel: W3C trace context in, spans out over OTLP/HTTP. Off unless an endpoint
 * is configured (config `tracing.otlp.url` or `OTEL_EXPORTER_OTLP_*ENDPOINT`); off, nothing in
 * the request path reads a header or makes an id. On, a request that is not sampled costs a
 * header read and, when the caller sent none, a trace context kept beside the request; no span.
 * A sampled one records its spans into a shared ring; a worker encodes and exports them.
 */
import type { Logger } from "@buntime/sdk";
import { resolveTracing, type TracingConfig } from "./settings.ts";
import { TraceBudget } from "./trace-budget.ts";
import { Tracer } from "./tracer.ts";
import { WorkerExporter } from "./worker-exporter.ts";

export { type TracingConfig, tracingSchema } from "./settings.ts";
export { endWith, Span, SpanKind } from "./span.ts";
export { parseTraceParent, TRACEPARENT } from "./traceparent.ts";
export { Tracer } from "./tracer.ts";

/** Running tracing: the tracer the pipeline and pool use, and a way to send what is left. */
export interface Tracing {
  readonly tracer: Tracer;
  readonly exporter: WorkerExporter;
  /** Sends the spans ended so far, waiting at most `FLUSH_LIMIT_MS` for a slow collector. */
  flush(): Promise<void>;
  /** Flushes (as `flush`), then ends the exporter worker: at stop. */
  close(): Promise<void>;
}

/** What identifies this kernel in its spans. */
export interface TracingIdentity {
  /** `cluster.node`, else the host name: `service.instance.id` and `host.name`. */
  readonly node: string;
  readonly version: string;
  readonly logger?: Logger;
}

/** The longest a stopping kernel waits for its last spans to go out. */
export const FLUSH_LIMIT_MS = 5_000;

/** Starts tracing as `config` and `env` ask, or returns undefined when it is off. */
export function createTracing(
  config: TracingConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
  identity: TracingIdentity,
): Tracing | undefined {
  const settings = resolveTracing(config, env);
  if (settings === undefined) return undefined;
  const exporter = new WorkerExporter({
    url: settings.url,
    headers: settings.headers,
    resource: {
      ...settings.resource,
      "service.name": settings.serviceName,
      "service.version": identity.version,
      "service.instance.id": identity.node,
      "host.name": identity.node,
    },
    scope: { name: "@buntime/kernel", version: identity.version },
    logger: identity.logger,
    ...settings.batch,
  });
  const flush = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, FLUSH_LIMIT_MS);
      void exporter.flush().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    tracer: new Tracer(
      exporter,
      settings.sampleRatio,
      settings.maxTracesPerSecond === undefined ? undefined : new TraceBudget(settings.maxTracesPerSecond),
    ),
    exporter,
    flush,
    close: () => flush().then(() => exporter.close()),
  };
}
