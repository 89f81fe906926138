/**
 * A single-producer, single-consumer ring of messages in a SharedArrayBuffer, for the channel
 * bench (channel.ts): the shared-memory alternative to `postMessage` issue 19 asks to measure.
 * Each message is JSON text as UTF-8 behind a 4-byte length. The writer copies a message in and
 * wakes the reader only when it sleeps; the reader drains everything there is, then sleeps with
 * `Atomics.waitAsync` (its event loop stays free meanwhile).
 */

const HEAD = 0; // next byte the writer writes
const TAIL = 1; // next byte the reader reads
const SEQ = 2; // bumped on every write, the word the reader waits on
const SLEEPING = 3; // 1 while the reader waits
const WRAP = -1; // a length saying "continue at offset 0"

/** The shared memory of one ring: hand it to the other thread with `postMessage`. */
export function ringBuffer(bytes = 1 << 22): SharedArrayBuffer {
  return new SharedArrayBuffer(16 + bytes);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One end of a ring: `send` on the writer's side, `listen` on the reader's. */
export class Ring {
  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private readonly view: DataView;

  constructor(buffer: SharedArrayBuffer) {
    this.control = new Int32Array(buffer, 0, 4);
    this.data = new Uint8Array(buffer, 16);
    this.view = new DataView(buffer, 16);
  }

  /** Writes `message` as JSON; wakes the reader if it sleeps. Throws when the ring is full. */
  send(message: unknown): void {
    const text = JSON.stringify(message);
    const capacity = this.data.length;
    let head = Atomics.load(this.control, HEAD);
    const tail = Atomics.load(this.control, TAIL);
    const most = text.length * 3 + 8; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (head + most > capacity) {
      if (tail > head || tail <= most) throw new Error("the ring is full");
      this.view.setInt32(head, WRAP, true);
      head = 0;
    } else if (tail > head && head + most >= tail) throw new Error("the ring is full");
    const { written } = encoder.encodeInto(text, this.data.subarray(head + 4, head + 4 + most));
    this.view.setInt32(head, written, true);
    Atomics.store(this.control, HEAD, (head + 4 + written + 3) & ~3);
    Atomics.add(this.control, SEQ, 1);
    if (Atomics.load(this.control, SLEEPING) === 1) Atomics.notify(this.control, SEQ);
  }

  /** Calls `receive` with every message, in order, for good (or until `stop` is called). */
  listen(receive: (message: unknown) => void): { stop(): void } {
    let stopped = false;
    const loop = async () => {
      while (!stopped) {
        this.drain(receive);
        const seq = Atomics.load(this.control, SEQ);
        Atomics.store(this.control, SLEEPING, 1);
        // a write between the drain and the flag would not notify: look once more
        if (Atomics.load(this.control, HEAD) === Atomics.load(this.control, TAIL)) {
          const wait = Atomics.waitAsync(this.control, SEQ, seq);
          if (wait.async) await wait.value;
        }
        Atomics.store(this.control, SLEEPING, 0);
      }
    };
    void loop();
    return {
      stop: () => {
        stopped = true;
        Atomics.add(this.control, SEQ, 1);
        Atomics.notify(this.control, SEQ);
      },
    };
  }

  private drain(receive: (message: unknown) => void): void {
    let tail = Atomics.load(this.control, TAIL);
    const head = Atomics.load(this.control, HEAD);
    while (tail !== head) {
      const length = this.view.getInt32(tail, true);
      if (length === WRAP) {
        tail = 0;
        continue;
      }
      const text = decoder.decode(this.data.subarray(tail + 4, tail + 4 + length));
      tail = (tail + 4 + length + 3) & ~3;
      Atomics.store(this.control, TAIL, tail);
      receive(JSON.parse(text));
    }
  }
}
