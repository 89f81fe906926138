/**
 * Streams a body across a worker boundary as chunk messages with credit-based flow control:
 * the sender keeps at most `STREAM_WINDOW` chunks unacknowledged, the receiver acknowledges
 * what its reader consumed, and either side can cancel. Used both ways: uploads go from the
 * pool to a worker, streamed responses (chunked, SSE) come back.
 */
import type { MessagePort } from "./protocol.ts";

/** Chunks a sender may have in flight before it waits for an acknowledgement. */
export const STREAM_WINDOW = 16;

/** How a sent stream ended. */
export type SendOutcome = "done" | "cancelled" | "failed" | "too-large";

/** One read of a body: a chunk, or the end. */
export type ReadResult = { done: false; value: unknown } | { done: true; value?: unknown };

type ReadFn = () => Promise<ReadResult>;

function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

/**
 * Sends what `read` yields as chunk messages for request `id`. With `owned`, chunks that
 * span a whole ArrayBuffer are transferred instead of copied (only for buffers nobody else
 * holds, such as the chunks of an incoming request body).
 */
export class StreamSender {
  private sent = 0;
  private acked = 0;
  private wake: (() => void) | undefined;
  private cancelled = false;
  private bytes = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly id: number,
    private readonly read: ReadFn,
    private readonly cancelSource: () => void,
    private readonly options: { owned?: boolean; limit?: number } = {},
  ) {}

  /** Pumps until the source ends, fails, is cancelled or passes `limit` bytes. */
  async run(): Promise<SendOutcome> {
    const { port, id } = this;
    try {
      for (;;) {
        if (this.sent - this.acked >= STREAM_WINDOW) await new Promise<void>((wake) => (this.wake = wake));
        if (this.cancelled) return "cancelled";
        const { done, value } = await this.read();
        if (this.cancelled) return "cancelled";
        if (done) {
          port.postMessage({ t: "end", id });
          return "done";
        }
        const bytes = toBytes(value);
        if (bytes === undefined) throw new TypeError("a body chunk must be bytes or a string");
        if (bytes.byteLength === 0) continue;
        this.bytes += bytes.byteLength;
        if (this.options.limit !== undefined && this.bytes > this.options.limit) {
          this.stop();
          port.postMessage({ t: "end", id, error: "body too large" });
          return "too-large";
        }
        this.sent++;
        const whole =
          this.options.owned === true &&
          bytes.byteOffset === 0 &&
          bytes.buffer instanceof ArrayBuffer &&
          bytes.byteLength === bytes.buffer.byteLength;
        const chunk = whole ? bytes : bytes.slice();
        port.postMessage({ t: "chunk", id, chunk }, [chunk.buffer as ArrayBuffer]);
      }
    } catch (error) {
      if (this.cancelled) return "cancelled";
      port.postMessage({ t: "end", id, error: error instanceof Error ? error.message : String(error) });
      return "failed";
    }
  }

  /** The receiver consumed `consumed` chunks in total. */
  ack(consumed: number): void {
    if (consumed > this.acked) this.acked = consumed;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The receiver went away: stop reading and cancel the source. */
  cancel(): void {
    this.stop();
  }

  private stop(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    try {
      this.cancelSource();
    } catch {
      // the source is already closed or errored; nothing left to cancel
    }
  }
}

/** Sends a reader's chunks; cancelling the sender cancels the reader. */
export function senderForReader(
  port: MessagePort,
  id: number,
  reader: { read(): Promise<ReadResult>; cancel(reason?: unknown): Promise<void> },
  options?: { owned?: boolean; limit?: number },
): StreamSender {
  return new StreamSender(
    port,
    id,
    () => reader.read(),
    () => void reader.cancel().catch(() => {}),
    options,
  );
}

/** The receiving end: a ReadableStream fed by chunk messages, acknowledging what it hands out. */
export class StreamReceiver {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private received = 0;
  private finished = false;

  constructor(port: MessagePort, id: number, onCancel?: () => void) {
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      pull: (controller) => {
        if (this.finished) return;
        const queued = 1 - (controller.desiredSize ?? 0);
        port.postMessage({ t: "ack", id, n: this.received - Math.max(0, queued) });
      },
      cancel: () => {
        if (this.finished) return;
        this.finished = true;
        port.postMessage({ t: "cancel", id });
        onCancel?.();
      },
    });
  }

  /** True once the stream ended, failed or was cancelled. */
  get done(): boolean {
    return this.finished;
  }

  push(chunk: Uint8Array): void {
    if (this.finished) return;
    this.received++;
    this.controller.enqueue(chunk);
  }

  /** Ends the stream, as an error when `error` is given. */
  end(error?: string): void {
    if (this.finished) return;
    this.finished = true;
    try {
      if (error === undefined) this.controller.close();
      else this.controller.error(new Error(error));
    } catch {
      // the reader already went away
    }
  }
}
