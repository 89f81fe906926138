/**
 * The main thread's side of span export: ended spans go into a shared ring (a few stores, see
 * span-ring.ts) and a worker of their own encodes and sends them (export-worker.ts). One worker
 * per kernel with tracing on; it does not keep the process alive, and `close` ends it.
 */
import type { LogFields, Logger } from "@buntime/sdk";
import type { OtlpExporterOptions } from "./otlp-exporter.ts";
import type { Span, SpanSink } from "./span.ts";
import { RingWriter, ringBuffer } from "./span-ring.ts";

/** What the kernel asks of its exporter worker. */
export type ExportWorkerRequest =
  | {
      readonly type: "start";
      readonly buffer: SharedArrayBuffer;
      readonly options: Omit<OtlpExporterOptions, "logger">;
    }
  | { readonly type: "flush"; readonly id: number };

/** What the exporter worker tells the kernel. */
export type ExportWorkerReply =
  | { readonly type: "warn"; readonly message: string; readonly fields?: LogFields }
  | { readonly type: "flushed"; readonly id: number; readonly exported: number; readonly dropped: number };

/** Bun's workers can be told whether they keep the process alive (the DOM's type does not say). */
type RefWorker = Worker & { ref(): void; unref(): void };

/** A span sink whose spans are exported by a worker. */
export class WorkerExporter implements SpanSink {
  readonly #ring: RingWriter;
  readonly #worker: RefWorker;
  readonly #waiting = new Map<number, () => void>();
  #flushes = 0;
  #workerDropped = 0;
  /** Spans the endpoint accepted, as of the last flush. */
  exported = 0;

  constructor(options: OtlpExporterOptions) {
    const { logger, ...rest } = options;
    const buffer = ringBuffer(options.maxQueue ?? 4096);
    this.#ring = new RingWriter(buffer);
    this.#worker = new Worker(new URL("./export-worker.ts", import.meta.url).href) as RefWorker;
    this.#worker.unref();
    this.#worker.onmessage = (event: MessageEvent<ExportWorkerReply>) => this.#receive(event.data, logger);
    const start: ExportWorkerRequest = { type: "start", buffer, options: rest };
    this.#worker.postMessage(start);
  }

  /** Spans dropped (a full ring, a full export queue or a failed export), as of the last flush. */
  get dropped(): number {
    return this.#ring.dropped + this.#workerDropped;
  }

  push(span: Span): void {
    this.#ring.push(span);
  }

  #receive(message: ExportWorkerReply, logger: Pick<Logger, "warn"> | undefined): void {
    if (message.type === "warn") {
      logger?.warn(message.message, message.fields);
      return;
    }
    this.exported = message.exported;
    this.#workerDropped = message.dropped;
    this.#waiting.get(message.id)?.();
    this.#waiting.delete(message.id);
  }

  /** Sends every span ended so far; resolves once the worker has (sent or dropped them). */
  flush(): Promise<void> {
    const id = ++this.#flushes;
    this.#worker.ref(); // a stopping process waits for its last spans
    return new Promise<void>((resolve) => {
      this.#waiting.set(id, resolve);
      const request: ExportWorkerRequest = { type: "flush", id };
      this.#worker.postMessage(request);
    }).finally(() => {
      if (this.#waiting.size === 0) this.#worker.unref();
    });
  }

  /** Ends the worker (spans not flushed are lost). */
  close(): void {
    for (const resolve of this.#waiting.values()) resolve();
    this.#waiting.clear();
    this.#worker.terminate();
  }
}
