/**
 * @buntime/keyval: a typed client of Buntime's keyval for apps (in a worker it finds the kernel
 * and its token in `BUNTIME_URL` / `BUNTIME_APP_TOKEN`) and for scripts outside (pass them).
 * Close to Deno KV: `get`, `set`, `delete`, `list`, `atomic()` with `check`/`set`/`delete`/`sum`/
 * `min`/`max`/`commit`, `enqueue`/`listenQueue`, `watch`; `shared("<space>")` for a space the
 * kernel's admin shares between apps.
 *
 * @example
 * import { openKv } from "@buntime/keyval";
 * const kv = openKv();
 * await kv.set("greeting", "hello");
 * const entry = await kv.get<string>("greeting"); // { key, value, version, expiresAt }
 */
import { AtomicOperation } from "./atomic.ts";
import { type KvConnection, KvError, keyPath, Transport } from "./http.ts";
import { type KvQueueMessage, listenQueue } from "./queues.ts";
import { type KvWatchChange, watchStream } from "./watch.ts";

export type { CommitResult } from "./atomic.ts";
export { AtomicOperation } from "./atomic.ts";
export type { KvConnection } from "./http.ts";
export { KvError } from "./http.ts";
export type { KvQueueMessage } from "./queues.ts";
export type { KvWatchChange } from "./watch.ts";

/** One stored entry. */
export interface KvEntry<T = unknown> {
  readonly key: string;
  readonly value: T;
  readonly version: string;
  readonly expiresAt: number | null;
}

/** A shared space's name, as the storage plugin's config allows it. */
const SPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** An app's keyval, or a shared space's (from `shared()`). */
export class Kv {
  readonly #http: Transport;
  readonly #connection: KvConnection;

  /** `space` opens that shared space instead of the app's own keys (see `shared()`). */
  constructor(connection: KvConnection = {}, space?: string) {
    if (space !== undefined && !SPACE_NAME.test(space)) {
      throw new KvError(
        `shared space name ${JSON.stringify(space)} must be 1 to 100 of A-Z a-z 0-9 . _ -, starting with a letter or digit`,
        "KV_CONFIG",
        0,
      );
    }
    this.#connection = connection;
    this.#http = new Transport(connection, space === undefined ? "" : `/shared/${space}`);
  }

  /** The entry under `key`, or null. */
  async get<T = unknown>(key: string): Promise<KvEntry<T> | null> {
    const response = await this.#http.request(`/keys/${keyPath(key)}`, {}, [404]);
    return response.status === 404 ? null : ((await response.json()) as KvEntry<T>);
  }

  /** Writes `value` (any JSON); `expireIn` in ms. Returns the new version. */
  async set(
    key: string,
    value: unknown,
    options: { expireIn?: number } = {},
  ): Promise<{ ok: true; version: string }> {
    const query = options.expireIn === undefined ? "" : `?ttl=${options.expireIn}`;
    const { version } = await this.#http.json<{ version: string }>(`/keys/${keyPath(key)}${query}`, {
      method: "PUT",
      body: JSON.stringify(value),
    });
    return { ok: true, version };
  }

  /** Removes `key` (absent is fine). */
  async delete(key: string): Promise<void> {
    await this.#http.request(`/keys/${keyPath(key)}`, { method: "DELETE" });
  }

  /** Every entry whose key starts with `prefix`, in key order, fetched a page at a time. */
  async *list<T = unknown>(
    selector: { prefix?: string } = {},
    options: { limit?: number } = {},
  ): AsyncGenerator<KvEntry<T>> {
    let cursor: string | null = "";
    while (cursor !== null) {
      const query = new URLSearchParams({
        prefix: selector.prefix ?? "",
        cursor,
        limit: String(options.limit ?? 100),
      });
      const page: { entries: KvEntry<T>[]; cursor: string | null } = await this.#http.json(`/keys?${query}`);
      yield* page.entries;
      cursor = page.cursor;
    }
  }

  /** An atomic operation: chain checks and writes, then `commit()`. */
  atomic(): AtomicOperation {
    return new AtomicOperation(this.#http);
  }

  /** Adds a message to `queue` (default "default"), due after `delay` ms; returns its id. */
  async enqueue(value: unknown, options: { delay?: number; queue?: string } = {}): Promise<string> {
    const { id } = await this.#http.json<{ id: string }>(
      `/queues/${encodeURIComponent(options.queue ?? "default")}`,
      {
        method: "POST",
        body: JSON.stringify({ value, delay: options.delay }),
      },
    );
    return id;
  }

  /**
   * Calls `handler` for each message of `queue` as it comes due: a return acks it, a throw nacks
   * it (retried later, dead-lettered after the plugin's attempts). Returns a function that stops.
   */
  listenQueue<T = unknown>(
    handler: (value: T, message: KvQueueMessage<T>) => unknown,
    options: { queue?: string; interval?: number } = {},
  ): () => void {
    return listenQueue(this.#http, options.queue ?? "default", handler, options.interval ?? 250);
  }

  /**
   * The shared space `space`, with the same API for keys, lists, `atomic()` and `watch` (queues
   * stay per app). The storage plugin's `sharedSpaces` config says who may read or write it; a
   * refused call is a KvError with code BUNTIME_ERR_STORAGE_SPACE_FORBIDDEN.
   */
  shared(space: string): Kv {
    return new Kv(this.#connection, space);
  }

  /** Changes of `keys` (and of keys under `prefix`) as they happen; `return()` (or break) stops. */
  watch(keys: readonly string[], options: { prefix?: string } = {}): AsyncGenerator<KvWatchChange[]> {
    return watchStream(this.#http, keys, options.prefix);
  }
}

/** Opens the calling app's keyval (inside a worker no options are needed). */
export function openKv(connection: KvConnection = {}): Kv {
  return new Kv(connection);
}
