/**
 * Queues on the key-value store: messages wait under `ready/<due>/<id>` (key order is due order),
 * a receiver moves one to `leased/<id>` with a check-and-set, so among kernels sharing a backend
 * exactly one receives it; ack deletes it, nack puts it back after a delay, and a message that
 * failed `maxAttempts` times, or whose lease ran out that often, moves to `dead/<id>`.
 */
import type { KeyValueStore, KvEntry } from "@buntime/sdk";
import { BuntimeError } from "@buntime/sdk";

/** A message as a receiver gets it. */
export interface QueueMessage<T = unknown> {
  readonly id: string;
  readonly value: T;
  /** 1 on the first delivery, 2 on the first retry, … */
  readonly attempts: number;
}

/** A message in the dead-letter list. */
export interface DeadMessage<T = unknown> extends QueueMessage<T> {
  readonly reason: string;
  readonly diedAt: number;
}

/** How a queue delivers. */
export interface QueueOptions {
  /** Deliveries before a message goes to the dead letters. @default 5 */
  readonly maxAttempts?: number;
  /** How long a receiver holds a message before it is delivered again, in ms. @default 30000 */
  readonly leaseMs?: number;
  /** Delay before a nacked message is delivered again, doubled on every attempt, in ms. @default 1000 */
  readonly retryDelayMs?: number;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

/** One named queue. */
export interface Queue {
  /** Adds a message, delivered after `delay` ms (0: at once); returns its id. */
  enqueue(value: unknown, options?: { delay?: number }): Promise<string>;
  /** The next due message, leased to the caller; null when none is due. */
  receive<T = unknown>(): Promise<QueueMessage<T> | null>;
  /** Done with a message: it is gone. False when the lease had run out (it may be delivered again). */
  ack(id: string): Promise<boolean>;
  /** Failed a message: delivered again after the retry delay, or dead-lettered after `maxAttempts`. */
  nack(id: string, reason?: string): Promise<boolean>;
  /** The dead letters, oldest first (at most 1000). */
  dead<T = unknown>(): Promise<DeadMessage<T>[]>;
  /**
   * Calls `handler` for each message as it comes due, polling every `interval` ms when idle: a
   * return acks, a throw nacks. Returns a function that stops listening.
   */
  listen<T = unknown>(
    handler: (message: QueueMessage<T>) => unknown,
    options?: { interval?: number },
  ): () => void;
}

interface Leased {
  readonly message: QueueMessage;
  readonly until: number;
}

const MAX_DELAY_MS = 365 * 24 * 3600 * 1000;
/** A queue's name: what can sit in a key segment. */
export const QUEUE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

function invalid(details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", { details });
}

const due = (at: number) => String(at).padStart(15, "0");

/** Orders the messages one process enqueues within the same millisecond. */
let sequence = 0;

/** Queue `name` in `store` (its entries live under the store's namespace `queue/<name>`). */
export function openQueue(store: KeyValueStore, name: string, options: QueueOptions = {}): Queue {
  if (!QUEUE_NAME.test(name))
    throw invalid(`queue name ${JSON.stringify(name)} must be 1 to 100 of A-Z a-z 0-9 . _ -`);
  const kv = store.namespace("queue").namespace(name);
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 5;
  const leaseMs = options.leaseMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;

  /** Moves a leased message on: back to ready (after `delay`), or to the dead letters. */
  async function release(entry: KvEntry<Leased>, delay: number, reason: string): Promise<boolean> {
    const { message } = entry.value;
    const dies = message.attempts >= maxAttempts;
    const result = await kv.batch([
      { type: "check", key: entry.key, version: entry.version },
      { type: "delete", key: entry.key },
      dies
        ? { type: "set", key: `dead/${message.id}`, value: { ...message, reason, diedAt: now() } }
        : { type: "set", key: `ready/${due(now() + delay)}/${message.id}`, value: message },
    ]);
    return result.ok;
  }

  /** Puts back the messages whose receivers let their lease run out. */
  async function reclaim(): Promise<void> {
    const page = await kv.list<Leased>({ prefix: "leased/", limit: 100 });
    for (const entry of page.entries) {
      if (entry.value.until <= now()) await release(entry, 0, "its lease ran out");
    }
  }

  const queue: Queue = {
    async enqueue(value, enqueueOptions = {}) {
      const delay = enqueueOptions.delay ?? 0;
      if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_MS) {
        throw invalid("delay must be a whole number of milliseconds from 0 to a year");
      }
      sequence = (sequence + 1) % 1e9;
      const id = `${due(now())}-${String(sequence).padStart(9, "0")}-${crypto.randomUUID().slice(0, 8)}`;
      const message: QueueMessage = { id, value, attempts: 0 };
      const result = await kv.set(`ready/${due(now() + delay)}/${id}`, message, { version: null });
      if (!result.ok) throw invalid(`message ${id} exists already`);
      return id;
    },

    async receive<T>() {
      await reclaim();
      const page = await kv.list<QueueMessage<T>>({ prefix: "ready/", limit: 20 });
      for (const entry of page.entries) {
        if (entry.key.slice("ready/".length, "ready/".length + 15) > due(now())) return null;
        const message = { ...entry.value, attempts: entry.value.attempts + 1 };
        const claimed = await kv.batch([
          { type: "check", key: entry.key, version: entry.version },
          { type: "delete", key: entry.key },
          { type: "set", key: `leased/${message.id}`, value: { message, until: now() + leaseMs } },
        ]);
        // another receiver (maybe on another kernel) took it first: try the next
        if (claimed.ok) return message;
      }
      return null;
    },

    async ack(id) {
      const entry = await kv.get(`leased/${id}`);
      if (!entry) return false;
      return (await kv.delete(entry.key, { version: entry.version })).ok;
    },

    async nack(id, reason = "nacked") {
      const entry = await kv.get<Leased>(`leased/${id}`);
      if (!entry) return false;
      return release(entry, retryDelayMs * 2 ** (entry.value.message.attempts - 1), reason);
    },

    async dead<T>() {
      const page = await kv.list<DeadMessage<T>>({ prefix: "dead/", limit: 1000 });
      return page.entries.map((entry) => entry.value);
    },

    listen(handler, listenOptions = {}) {
      const interval = listenOptions.interval ?? 250;
      let stopped = false;
      let timer: Timer | undefined;
      const tick = async () => {
        while (!stopped) {
          const message = await queue.receive().catch(() => null);
          if (!message) break;
          try {
            await handler(message as QueueMessage<never>);
            await queue.ack(message.id);
          } catch (error) {
            await queue
              .nack(message.id, error instanceof Error ? error.message : String(error))
              .catch(() => false);
          }
        }
        if (!stopped) timer = setTimeout(tick, interval);
      };
      timer = setTimeout(tick, 0);
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
  };
  return queue;
}
