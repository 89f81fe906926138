/**
 * Sends ended spans to an OTLP/HTTP endpoint as JSON, in batches. The kernel runs it in its
 * exporter worker (export-worker.ts), fed from the span ring, so none of this runs on the thread
 * that serves requests. A span only joins a queue; a timer sends (at once when a batch is full, else after `delay`), so no
 * request waits while a batch is encoded. When the queue is full (the collector is
 * slow or gone) new spans are dropped and counted, so tracing never holds memory or requests up.
 *
 * Written here rather than taken from @opentelemetry/sdk-trace + exporter-trace-otlp-http:
 * measured in Bun on this machine, a server span and one child cost about 5-7 µs with the SDK's
 * tracer alone and about 14 µs with its batch exporter, where a warm app request costs the kernel
 * about 15-30 µs of CPU in all; see docs/observability.md, "What it costs".
 */
import { BuntimeError, type Logger } from "@buntime/sdk";
import { exportRequestJson, otlpAttributes } from "./otlp-json.ts";
import type { AttributeValue, OtlpAttribute } from "./span.ts";

/** Where and how to export. */
export interface OtlpExporterOptions {
  /** The traces endpoint itself, e.g. `http://collector:4318/v1/traces`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Resource attributes: `service.name`, `service.version`, `host.name`, … */
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scope: { readonly name: string; readonly version: string };
  /** Where a failed export is told (in the worker, a stand-in passing it to the kernel's logger). */
  readonly logger?: Pick<Logger, "warn">;
  /** Spans waiting at most; more are dropped. @default 4096 */
  readonly maxQueue?: number;
  /** Spans per request. @default 512 */
  readonly maxBatch?: number;
  /** Milliseconds a span waits for its batch at most. @default 1000 */
  readonly delay?: number;
  /** Milliseconds an export may take. @default 10000 */
  readonly timeout?: number;
}

/** At most one warning about failed exports per this many milliseconds. */
const WARN_EVERY = 60_000;

/** The exporter (run in the exporter worker): queues spans written as OTLP/JSON and sends them in batches. */
export class OtlpExporter {
  readonly #options: OtlpExporterOptions;
  readonly #maxQueue: number;
  readonly #maxBatch: number;
  /** The resource's attributes in OTLP's shape, made once. */
  readonly #resource: readonly OtlpAttribute[];
  #queue: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The delay the timer was set with. */
  #due = 0;
  /** The running pump, while one runs. */
  #pumping: Promise<void> | undefined;
  #lastWarning = Number.NEGATIVE_INFINITY;
  /** Spans dropped for a full queue or a failed export, since the start. */
  dropped = 0;
  /** Spans the endpoint accepted, since the start. */
  exported = 0;

  constructor(options: OtlpExporterOptions) {
    this.#options = options;
    this.#maxQueue = options.maxQueue ?? 4096;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#resource = otlpAttributes(options.resource);
  }

  /** Queues a span already written as OTLP/JSON, or drops it when the queue is full. */
  enqueue(span: string): void {
    if (this.#queue.length >= this.#maxQueue) {
      this.dropped++;
      return;
    }
    this.#queue.push(span);
    if (this.#pumping !== undefined) return; // the running pump takes it
    // a full batch is sent soon, not now: encoding it is no part of the request that ended this span
    if (this.#queue.length >= this.#maxBatch) this.#sendIn(0);
    else if (this.#timer === undefined) this.#sendIn(this.#options.delay ?? 1000);
  }

  /** Flushes in `ms` milliseconds (or sooner, when that is already due). */
  #sendIn(ms: number): void {
    if (this.#timer !== undefined) {
      if (ms > 0 || this.#due === 0) return;
      clearTimeout(this.#timer);
    }
    this.#due = ms;
    this.#timer = setTimeout(() => void this.flush(), ms);
    this.#timer.unref?.();
  }

  /** Sends every queued span; resolves once the queue is empty (sent or dropped). Never rejects. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pumping ??= this.#pump().finally(() => {
      this.#pumping = undefined;
    });
    return this.#pumping;
  }

  /**
   * Sends batches one at a time, in order, until the queue is empty: a slow collector is not
   * sent a pile of parallel requests, and spans waiting for it stay within `maxQueue`.
   */
  async #pump(): Promise<void> {
    while (this.#queue.length > 0) await this.#send(this.#queue.splice(0, this.#maxBatch));
  }

  async #send(batch: string[]): Promise<void> {
    const { url, headers, scope } = this.#options;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: exportRequestJson(batch, this.#resource, scope),
        signal: AbortSignal.timeout(this.#options.timeout ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.exported += batch.length;
    } catch (error) {
      this.dropped += batch.length;
      this.#warn(batch.length, error);
    }
  }

  #warn(spans: number, error: unknown): void {
    const now = performance.now();
    if (now - this.#lastWarning < WARN_EVERY) return;
    this.#lastWarning = now;
    const reason = error instanceof Error ? error.message : String(error);
    const coded = new BuntimeError("BUNTIME_ERR_TRACE_EXPORT_FAILED", {
      spans,
      url: this.#options.url,
      reason,
    });
    this.#options.logger?.warn(coded.message, { code: coded.code });
  }
}
