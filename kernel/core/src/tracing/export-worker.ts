/**
 * The exporter worker: drains the span ring the kernel's main thread writes (span-ring.ts) every
 * `DRAIN_MS`, makes the OTLP spans and sends them with the OTLP exporter, so encoding and export
 * cost the thread that serves requests nothing. Started by `WorkerExporter` (worker-exporter.ts).
 */
import { OtlpExporter } from "./otlp-exporter.ts";
import { RingReader } from "./span-ring.ts";
import type { ExportWorkerReply, ExportWorkerRequest } from "./worker-exporter.ts";

/** How often the ring is drained: often enough that a busy kernel does not fill it between drains. */
const DRAIN_MS = 10;

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

self.onmessage = async (event: MessageEvent<ExportWorkerRequest>) => {
  const message = event.data;
  if (message.type === "start") {
    reader = new RingReader(message.buffer);
    exporter = new OtlpExporter({
      ...message.options,
      logger: { warn: (text, fields) => reply({ type: "warn", message: text, fields }) },
    });
    setInterval(drain, DRAIN_MS);
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
