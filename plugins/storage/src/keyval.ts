/**
 * The key-value store over any backend: validates keys, values and options, turns values into
 * JSON and back, scopes a view to its namespace, and gives every backend failure one coded error.
 */

import type { BatchOperation, CommitResult, KeyValueStore, KvEntry, ListPage } from "@buntime/sdk";
import { BuntimeError } from "@buntime/sdk";
import { commitWithNumbers, isNumberOperation } from "./atomic-ops.ts";
import type { KvBackend, RowWrite, StoredRow, VersionCheck } from "./backend.ts";
import { encodeCursor, listRange } from "./key-range.ts";

/** Options of `createKeyValueStore`. */
export interface KeyValueStoreOptions {
  /** Largest JSON value accepted, in bytes. @default 65536 */
  readonly maxValueBytes?: number;
  /** The clock deciding expiry (ms since the epoch). @default Date.now */
  readonly now?: () => number;
}

/** Longest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** Most operations in one batch. */
export const MAX_BATCH_OPERATIONS = 1000;
const MAX_LIST_LIMIT = 1000;
const MAX_TTL_MS = 100 * 365 * 24 * 3600 * 1000;

function invalid(details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", { details });
}

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key.length === 0) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_KEY_INVALID", { key: JSON.stringify(key), reason: "empty" });
  }
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > MAX_KEY_BYTES) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_KEY_INVALID", {
      key: `${key.slice(0, 32)}…`,
      reason: `${bytes} bytes, over ${MAX_KEY_BYTES}`,
    });
  }
  if (key.includes("\u0000") || !key.isWellFormed()) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_KEY_INVALID", { key, reason: "NUL or a lone surrogate" });
  }
  return key;
}

function checkVersion(version: unknown, where: string): string | null | undefined {
  if (version === undefined || version === null) return version;
  if (typeof version !== "string" || !/^\d{1,20}$/.test(version)) {
    throw invalid(`${where}: version must be a version string from a read, or null`);
  }
  return version;
}

function toEntry<T>(row: StoredRow): KvEntry<T> {
  return { key: row.key, value: JSON.parse(row.value) as T, version: row.version, expiresAt: row.expiresAt };
}

/**
 * A key-value store over `backend`, viewing the root namespace.
 *
 * @example
 * const store = createKeyValueStore(openSqliteBackend(":memory:"));
 * await store.set("greeting", "hello", { ttl: 60_000 });
 */
export function createKeyValueStore(backend: KvBackend, options: KeyValueStoreOptions = {}): KeyValueStore {
  const maxValueBytes = options.maxValueBytes ?? 65536;
  const now = options.now ?? Date.now;

  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof BuntimeError) throw error;
      const details = error instanceof Error ? error.message : String(error);
      throw new BuntimeError(
        "BUNTIME_ERR_STORAGE_BACKEND_FAILED",
        { backend: backend.name, details },
        { cause: error },
      );
    }
  }

  function serialize(key: string, value: unknown): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw invalid(`the value of ${key} is not JSON: ${(error as Error).message}`);
    }
    if (text === undefined) throw invalid(`the value of ${key} is not JSON (${typeof value})`);
    const size = Buffer.byteLength(text, "utf8");
    if (size > maxValueBytes) {
      throw new BuntimeError("BUNTIME_ERR_STORAGE_VALUE_TOO_LARGE", { key, size, limit: maxValueBytes });
    }
    return text;
  }

  function expiry(ttl: unknown, at: number): number | null {
    if (ttl === undefined) return null;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_MS) {
      throw invalid("ttl must be a positive whole number of milliseconds");
    }
    return at + ttl;
  }

  /** Splits operations into the backend's checks and writes. */
  function plan(operations: readonly BatchOperation[], at: number) {
    if (!Array.isArray(operations) || operations.length === 0) throw invalid("a batch needs operations");
    if (operations.length > MAX_BATCH_OPERATIONS) {
      throw invalid(`a batch holds at most ${MAX_BATCH_OPERATIONS} operations`);
    }
    const checks: VersionCheck[] = [];
    const writes: RowWrite[] = [];
    operations.forEach((operation, index) => {
      const where = `operation ${index}`;
      const key = checkKey(operation?.key);
      const version = checkVersion(operation.version, where);
      if (operation.type === "check") {
        if (version === undefined) throw invalid(`${where}: a check needs a version (or null)`);
      } else if (operation.type === "set") {
        writes.push({ key, value: serialize(key, operation.value), expiresAt: expiry(operation.ttl, at) });
      } else if (operation.type === "delete") {
        writes.push({ key, value: undefined, expiresAt: null });
      } else {
        throw invalid(`${where}: type must be check, set, delete, sum, min or max`);
      }
      if (version !== undefined) checks.push({ key, version });
    });
    return { checks, writes };
  }

  function view(namespace: string): KeyValueStore {
    const commit = (operations: readonly BatchOperation[]): Promise<CommitResult> =>
      guarded(async () => {
        const at = now();
        const { checks, writes } = plan(operations, at);
        return backend.commit(namespace, checks, writes, at);
      });
    const batch = (operations: readonly BatchOperation[]): Promise<CommitResult> =>
      Array.isArray(operations) && operations.some(isNumberOperation)
        ? guarded(() => commitWithNumbers(operations, (keys) => getMany(keys), commit))
        : commit(operations);
    const getMany = <T>(keys: readonly string[]) =>
      guarded(async () => {
        const checked = keys.map(checkKey);
        const rows = await backend.get(namespace, checked, now());
        const byKey = new Map(rows.map((row) => [row.key, row]));
        return checked.map((key) => {
          const row = byKey.get(key);
          return row ? toEntry<T>(row) : null;
        });
      });
    return {
      namespaceName: namespace,
      getMany,
      get: async <T>(key: string) => (await getMany<T>([key]))[0] ?? null,
      set: (key, value, setOptions = {}) => batch([{ type: "set", key, value, ...setOptions }]),
      delete: (key, deleteOptions = {}) => batch([{ type: "delete", key, ...deleteOptions }]),
      batch,
      list: <T>(listOptions: { prefix?: string; cursor?: string; limit?: number } = {}) =>
        guarded(async (): Promise<ListPage<T>> => {
          const limit = listOptions.limit ?? 100;
          if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
            throw invalid(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
          }
          const prefix = listOptions.prefix ?? "";
          if (typeof prefix !== "string") throw invalid("prefix must be a string");
          const rows = await backend.list(namespace, listRange(prefix, listOptions.cursor), limit + 1, now());
          const page = rows.slice(0, limit);
          const last = page.at(-1);
          return {
            entries: page.map((row) => toEntry<T>(row)),
            cursor: rows.length > limit && last ? encodeCursor(last.key) : null,
          };
        }),
      namespace(name) {
        if (typeof name !== "string" || name.length === 0) throw invalid("a namespace needs a name");
        return view(namespace === "" ? name : `${namespace}/${name}`);
      },
    };
  }

  return view("");
}
