/**
 * The `keyval` service contract: JSON values under string keys, each write stamped with a version
 * that later writes can be conditioned on. `@buntime/plugin-storage` provides it.
 */

/** One stored key with its value and the version of the write that put it there. */
export interface KvEntry<T = unknown> {
  readonly key: string;
  readonly value: T;
  /** The version stamp of the last write; versions grow with every commit. */
  readonly version: string;
  /** When the entry expires (ms since the epoch), or null when it does not. */
  readonly expiresAt: number | null;
}

/** Options of `set`. */
export interface SetOptions {
  /** Time to live in milliseconds; the entry disappears afterwards. */
  readonly ttl?: number;
  /** Write only if the key's current version is this one (`null`: only if the key is absent). */
  readonly version?: string | null;
}

/** Options of `delete`. */
export interface DeleteOptions {
  /** Delete only if the key's current version is this one (`null`: only if the key is absent). */
  readonly version?: string | null;
}

/** Options of `list`. */
export interface ListOptions {
  /** Only keys starting with this. @default "" */
  readonly prefix?: string;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
  /** Entries per page, 1 to 1000. @default 100 */
  readonly limit?: number;
}

/** One page of `list`, in key order. */
export interface ListPage<T = unknown> {
  readonly entries: KvEntry<T>[];
  /** Pass this as `cursor` for the next page; null on the last page. */
  readonly cursor: string | null;
}

/** One step of an atomic `batch`. */
export type BatchOperation =
  | { readonly type: "check"; readonly key: string; readonly version: string | null }
  | {
      readonly type: "set";
      readonly key: string;
      readonly value: unknown;
      readonly ttl?: number;
      readonly version?: string | null;
    }
  | { readonly type: "delete"; readonly key: string; readonly version?: string | null }
  /**
   * Combines a number with the key's current number, atomically: `sum` adds, `min`/`max` keep
   * the smaller/larger. An absent key takes the operand; a current value that is no number fails
   * the batch with `BUNTIME_ERR_STORAGE_REQUEST_INVALID`.
   */
  | {
      readonly type: "sum" | "min" | "max";
      readonly key: string;
      readonly value: number;
      /** None: the operation checks the version it read by itself. */
      readonly version?: never;
    };

/** The outcome of a write: the new version, or the first key whose version check failed. */
export type CommitResult =
  | { readonly ok: true; readonly version: string }
  | { readonly ok: false; readonly key: string };

/**
 * The `keyval` service. Every write is a commit: either all its version checks hold and all
 * its writes apply under one new version, or nothing changes.
 *
 * @example
 * const users = ctx.services.get("keyval").namespace("auth");
 * const entry = await users.get<User>("user/ada");
 * const result = await users.set("user/ada", { ...entry?.value, role: "admin" }, { version: entry?.version ?? null });
 * if (!result.ok) ... // someone else changed it: read again and retry
 */
export interface KeyValueStore {
  /** The namespace this view reads and writes ("" for the root). */
  readonly namespaceName: string;
  /** The entry under `key`, or null when absent or expired. */
  get<T = unknown>(key: string): Promise<KvEntry<T> | null>;
  /** Several entries at once, in the order of `keys`. */
  getMany<T = unknown>(keys: readonly string[]): Promise<(KvEntry<T> | null)[]>;
  /** Writes a JSON value, optionally with a TTL and on condition of a version. */
  set(key: string, value: unknown, options?: SetOptions): Promise<CommitResult>;
  /** Removes a key, optionally on condition of a version; removing an absent key succeeds. */
  delete(key: string, options?: DeleteOptions): Promise<CommitResult>;
  /** Keys starting with `prefix`, in order, a page at a time. */
  list<T = unknown>(options?: ListOptions): Promise<ListPage<T>>;
  /** Applies all operations atomically: all checks hold and every write applies, or nothing does. */
  batch(operations: readonly BatchOperation[]): Promise<CommitResult>;
  /** A view whose keys live apart from this one's (`namespace("a").namespace("b")` is `a/b`). */
  namespace(name: string): KeyValueStore;
}
