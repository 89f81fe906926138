/**
 * The exporter worker: drains the span ring the kernel's main thread writes (span-ring.ts) every
 * `DRAIN_MS` (or its batch delay, when shorter), or sooner when the writer wakes it, makes the
 * OTLP spans and sends them with the OTLP exporter, so encoding and export cost the thread that
 * serves requests nothing. Started by `WorkerExporter` (worker-exporter.ts).
 */
import { OtlpExporter } from "./otlp-exporter.ts";
import { RingReader } from "./span-ring.ts";
import type { ExportWorkerReply, ExportWorkerRequest } from "./worker-exporter.ts";

/**
 * How often the ring is drained unwoken. The exporter holds a span up to its batch delay (1 s by
 * default) anyway; a worker waking every few milliseconds cost a busy kernel about 0.1 µs per
 * request. A busy kernel fills a quarter of the ring sooner and wakes the worker itself.
 */
const DRAIN_MS = 250;
/** A shorter batch delay drains as often, down to this. */
const MIN_DRAIN_MS = 10;

declare const self: Worker;

let reader: RingReader | undefined;
let exporter: OtlpExporter | undefined;

function reply(message: ExportWorkerReply): void {
  self.postMessage(message);
}

function drain(): void {
  if (reader !== undefined && exporter !== undefined) {
    const into = exporter;
    reader.drain((span) => into.enqueue(span));
  }
}

async function drainUntilClosed(ring: RingReader, everyMs: number): Promise<void> {
  for (;;) {
    drain();
    await ring.waitForSpans(everyMs);
  }
}

self.onmessage = async (event: MessageEvent<ExportWorkerRequest>) => {
  const message = event.data;
  if (message.type === "start") {
    reader = new RingReader(message.buffer);
    exporter = new OtlpExporter({
      ...message.options,
      logger: { warn: (text, fields) => reply({ type: "warn", message: text, fields }) },
    });
    const delay = message.options.delay ?? DRAIN_MS;
    void drainUntilClosed(reader, Math.max(MIN_DRAIN_MS, Math.min(DRAIN_MS, delay)));
    return;
  }
  drain();
  await exporter?.flush();
  reply({
    type: "flushed",
    id: message.id,
    exported: exporter?.exported ?? 0,
    dropped: exporter?.dropped ?? 0,
  });
};
