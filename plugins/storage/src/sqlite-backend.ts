/**
 * The default backend: one SQLite file in WAL mode. Commits run in `BEGIN IMMEDIATE`
 * transactions, so version checks and writes are atomic even across processes.
 */
import { Database } from "bun:sqlite";
import {
  type BackendCommit,
  childNamespaces,
  formatVersion,
  type KvBackend,
  type StoredRow,
} from "./backend.ts";

interface RowRecord {
  key: string;
  value: string;
  version: string;
  expires_at: number | null;
}

const toRow = (record: RowRecord): StoredRow => ({
  key: record.key,
  value: record.value,
  version: record.version,
  expiresAt: record.expires_at,
});

/**
 * Opens (creating if needed) a SQLite key-value file.
 *
 * @example
 * const store = createKeyValueStore(openSqliteBackend(join(ctx.dataDir, "keyval.sqlite")));
 */
export function openSqliteBackend(path: string): KvBackend {
  const db = new Database(path, { create: true, strict: true });
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  db.run("PRAGMA busy_timeout = 5000");
  db.run(`CREATE TABLE IF NOT EXISTS kv (
    ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, version TEXT NOT NULL, expires_at INTEGER,
    PRIMARY KEY (ns, key)) WITHOUT ROWID`);
  db.run("CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL");
  db.run(
    "CREATE TABLE IF NOT EXISTS kv_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL)",
  );
  db.run("INSERT OR IGNORE INTO kv_sequence (id, last) VALUES (1, 0)");

  const live = "(expires_at IS NULL OR expires_at > $now)";
  const selectOne = db.query<RowRecord, { ns: string; key: string; now: number }>(
    `SELECT key, value, version, expires_at FROM kv WHERE ns = $ns AND key = $key AND ${live}`,
  );
  const listBounded = db.query<
    RowRecord,
    { ns: string; start: string; end: string; after: string; now: number; limit: number }
  >(
    `SELECT key, value, version, expires_at FROM kv WHERE ns = $ns AND key >= $start AND key < $end
     AND key > $after AND ${live} ORDER BY key LIMIT $limit`,
  );
  const listOpen = db.query<
    RowRecord,
    { ns: string; start: string; after: string; now: number; limit: number }
  >(
    `SELECT key, value, version, expires_at FROM kv WHERE ns = $ns AND key >= $start
     AND key > $after AND ${live} ORDER BY key LIMIT $limit`,
  );
  const nextVersion = db.query<{ last: number }, []>(
    "UPDATE kv_sequence SET last = last + 1 WHERE id = 1 RETURNING last",
  );
  const upsert = db.query(
    `INSERT INTO kv (ns, key, value, version, expires_at) VALUES ($ns, $key, $value, $version, $expiresAt)
     ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, version = excluded.version,
     expires_at = excluded.expires_at`,
  );
  const remove = db.query("DELETE FROM kv WHERE ns = $ns AND key = $key");
  const sweep = db.query("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= $now");
  const usage = db.query<
    { keys: number; bytes: number | null },
    { ns: string; low: string; high: string; now: number }
  >(
    `SELECT count(*) AS keys, sum(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))) AS bytes FROM kv
     WHERE (ns = $ns OR (ns >= $low AND ns < $high)) AND ${live}`,
  );

  const commit = db.transaction((ns: string, checks, writes, now: number): BackendCommit => {
    for (const check of checks as Parameters<KvBackend["commit"]>[1]) {
      const current = selectOne.get({ ns, key: check.key, now });
      if ((current?.version ?? null) !== check.version) return { ok: false, key: check.key };
    }
    const version = formatVersion((nextVersion.get() as { last: number }).last);
    for (const write of writes as Parameters<KvBackend["commit"]>[2]) {
      if (write.value === undefined) remove.run({ ns, key: write.key });
      else upsert.run({ ns, key: write.key, value: write.value, version, expiresAt: write.expiresAt });
    }
    return { ok: true, version };
  });

  return {
    name: "sqlite",
    async get(ns, keys, now) {
      const rows: StoredRow[] = [];
      for (const key of keys) {
        const record = selectOne.get({ ns, key, now });
        if (record) rows.push(toRow(record));
      }
      return rows;
    },
    async list(ns, range, limit, now) {
      const after = range.after ?? "";
      const records =
        range.end === null
          ? listOpen.all({ ns, start: range.start, after, now, limit })
          : listBounded.all({ ns, start: range.start, end: range.end, after, now, limit });
      return records.map(toRow);
    },
    async commit(ns, checks, writes, now) {
      return commit.immediate(ns, checks, writes, now);
    },
    async usage(ns, now) {
      const counted = usage.get({ ns, ...childNamespaces(ns), now });
      return { keys: counted?.keys ?? 0, bytes: counted?.bytes ?? 0 };
    },
    async sweep(now) {
      return sweep.run({ now }).changes;
    },
    async close() {
      db.close();
    },
  };
}
