/**
 * Benchmark: keyval queue throughput on the SQLite backend (a temporary file, WAL): messages per
 * second through enqueue → listen → ack, and the enqueue-to-delivery latency (p50, p99).
 *
 *   bun plugins/storage/bench/queue.ts [--messages 2000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKeyValueStore, openQueue, openSqliteBackend } from "@buntime/plugin-storage";

const { values } = parseArgs({ options: { messages: { type: "string", default: "2000" } } });
const count = Number(values.messages);

const dir = mkdtempSync(join(tmpdir(), "buntime-queue-bench-"));
const backend = openSqliteBackend(join(dir, "bench.sqlite"));
try {
  const queue = openQueue(createKeyValueStore(backend), "bench");
  const latencies: number[] = [];
  const started = performance.now();
  const done = new Promise<void>((resolve) => {
    const stop = queue.listen<number>(
      (message) => {
        latencies.push(performance.now() - message.value);
        if (latencies.length === count) {
          stop();
          resolve();
        }
      },
      { interval: 1 },
    );
  });
  for (let i = 0; i < count; i++) await queue.enqueue(performance.now());
  await done;
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.floor(q * (sorted.length - 1))] ?? 0).toFixed(1);
  console.log(
    `${count} messages at once: ${Math.round(count / seconds)} messages/s; enqueue → delivery under that backlog p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
  );

  // one message at a time: the latency of an idle queue (the listener polls every 1 ms)
  const single: number[] = [];
  let delivered: (() => void) | undefined;
  const stop = queue.listen<number>(
    (message) => {
      single.push(performance.now() - message.value);
      delivered?.();
    },
    { interval: 1 },
  );
  for (let i = 0; i < 200; i++) {
    const arrived = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    await queue.enqueue(performance.now());
    await arrived;
  }
  stop();
  const one = single.sort((a, b) => a - b);
  const of = (q: number) => (one[Math.floor(q * (one.length - 1))] ?? 0).toFixed(2);
  console.log(`200 messages one at a time: enqueue → delivery p50 ${of(0.5)} ms, p99 ${of(0.99)} ms`);
} finally {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}
