/**
 * The slice of the storage plugin's `keyval` service that auth uses, and an in-memory stand-in
 * for when no plugin provides `keyval` (users then live only as long as the process).
 */

/** One stored entry. */
export interface AuthKvEntry<T> {
  readonly key: string;
  readonly value: T;
  readonly version: string;
}

/** What auth needs from a key-value store. */
export interface AuthKv {
  get<T>(key: string): Promise<AuthKvEntry<T> | null>;
  set(
    key: string,
    value: unknown,
    options?: { ttl?: number; version?: string | null },
  ): Promise<{ ok: boolean }>;
  delete(key: string): Promise<unknown>;
  list<T>(options: {
    prefix: string;
    cursor?: string;
    limit?: number;
  }): Promise<{ entries: AuthKvEntry<T>[]; cursor: string | null }>;
}

/** Reads every entry under `prefix`, a page at a time, up to `max` entries. */
export async function listAll<T>(kv: AuthKv, prefix: string, max = 10_000): Promise<AuthKvEntry<T>[]> {
  const all: AuthKvEntry<T>[] = [];
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

  async get<T>(key: string): Promise<AuthKvEntry<T> | null> {
    const row = this.live(key);
    return row ? { key, value: structuredClone(row.value) as T, version: String(row.version) } : null;
  }

  async set(key: string, value: unknown, options: { ttl?: number; version?: string | null } = {}) {
    const current = this.live(key);
    if (options.version !== undefined) {
      const currentVersion = current ? String(current.version) : null;
      if (currentVersion !== options.version) return { ok: false };
    }
    const expiresAt = options.ttl ? Date.now() + options.ttl : null;
    this.rows.set(key, { value: structuredClone(value), version: ++this.version, expiresAt });
    return { ok: true };
  }

  async delete(key: string) {
    this.rows.delete(key);
    return { ok: true };
  }

  async list<T>(options: { prefix: string; cursor?: string; limit?: number }) {
    const limit = options.limit ?? 100;
    const keys = [...this.rows.keys()]
      .filter(
        (key) => key.startsWith(options.prefix) && (options.cursor === undefined || key > options.cursor),
      )
      .sort();
    const entries: AuthKvEntry<T>[] = [];
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
