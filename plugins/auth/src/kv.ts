/**
 * The part of the `keyval` service that auth uses, and an in-memory stand-in for when no plugin
 * provides `keyval` (users then live only as long as the process).
 */
import type { CommitResult, KeyValueStore, KvEntry, ListOptions, ListPage, SetOptions } from "@buntime/sdk";

/** What auth needs from a key-value store: the `keyval` contract's reads and writes. */
export type AuthKv = Pick<KeyValueStore, "get" | "set" | "delete" | "list">;

/** Reads every entry under `prefix`, a page at a time, up to `max` entries. */
export async function listAll<T>(kv: AuthKv, prefix: string, max = 10_000): Promise<KvEntry<T>[]> {
  const all: KvEntry<T>[] = [];
  let cursor: string | undefined;
  while (all.length < max) {
    const page = await kv.list<T>({ prefix, cursor, limit: 100 });
    all.push(...page.entries);
    if (page.cursor === null) break;
    cursor = page.cursor;
  }
  return all;
}

interface MemoryRow {
  value: unknown;
  version: number;
  expiresAt: number | null;
}

/** A process-local store with the same semantics (TTL, version checks, paging). */
export class MemoryKv implements AuthKv {
  private readonly rows = new Map<string, MemoryRow>();
  private version = 0;

  private live(key: string): MemoryRow | undefined {
    const row = this.rows.get(key);
    if (row?.expiresAt !== undefined && row.expiresAt !== null && row.expiresAt <= Date.now()) {
      this.rows.delete(key);
      return undefined;
    }
    return row;
  }

  async get<T>(key: string): Promise<KvEntry<T> | null> {
    const row = this.live(key);
    if (!row) return null;
    const value = structuredClone(row.value) as T;
    return { key, value, version: String(row.version), expiresAt: row.expiresAt };
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<CommitResult> {
    const current = this.live(key);
    if (options.version !== undefined) {
      const currentVersion = current ? String(current.version) : null;
      if (currentVersion !== options.version) return { ok: false, key };
    }
    const expiresAt = options.ttl ? Date.now() + options.ttl : null;
    this.rows.set(key, { value: structuredClone(value), version: ++this.version, expiresAt });
    return { ok: true, version: String(this.version) };
  }

  async delete(key: string): Promise<CommitResult> {
    this.rows.delete(key);
    return { ok: true, version: String(++this.version) };
  }

  async list<T>(options: ListOptions = {}): Promise<ListPage<T>> {
    const prefix = options.prefix ?? "";
    const limit = options.limit ?? 100;
    const keys = [...this.rows.keys()]
      .filter((key) => key.startsWith(prefix) && (options.cursor === undefined || key > options.cursor))
      .sort();
    const entries: KvEntry<T>[] = [];
    for (const key of keys) {
      if (entries.length === limit) break;
      const entry = await this.get<T>(key);
      if (entry) entries.push(entry);
    }
    const last = entries.at(-1);
    const more = last !== undefined && keys.indexOf(last.key) < keys.length - 1;
    return { entries, cursor: more ? last.key : null };
  }
}
