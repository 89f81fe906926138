/**
 * The PostgreSQL backend (`Bun.sql`), for several kernels sharing one store. Each commit is a
 * transaction that first takes transaction-scoped advisory locks on its keys, in a fixed order,
 * so checks and writes of concurrent commits on the same keys never interleave.
 */
import { SQL } from "bun";
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
  expires_at: string | number | null;
}

const toRow = (record: RowRecord): StoredRow => ({
  key: record.key,
  value: record.value,
  version: record.version,
  expiresAt: record.expires_at === null ? null : Number(record.expires_at),
});

/** Serialises schema creation when several kernels start at once. */
const SCHEMA_LOCK = 0x6b7673; // "kvs"

/**
 * Connects to PostgreSQL and creates the `buntime_kv` table if needed.
 *
 * @example
 * const store = createKeyValueStore(await openPostgresBackend("postgres://kv@db.internal/buntime"));
 */
export async function openPostgresBackend(url: string): Promise<KvBackend> {
  const sql = new SQL(url);
  try {
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
      await tx`CREATE TABLE IF NOT EXISTS buntime_kv (
        ns text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value text NOT NULL,
        version text NOT NULL, expires_at bigint, PRIMARY KEY (ns, key))`;
      await tx`CREATE INDEX IF NOT EXISTS buntime_kv_expiry ON buntime_kv (expires_at) WHERE expires_at IS NOT NULL`;
      await tx`CREATE SEQUENCE IF NOT EXISTS buntime_kv_version`;
    });
  } catch (error) {
    await sql.close();
    throw error;
  }

  async function selectOne(db: SQL, ns: string, key: string, now: number): Promise<RowRecord | undefined> {
    const rows: RowRecord[] = await db`SELECT key, value, version, expires_at FROM buntime_kv
      WHERE ns = ${ns} AND key = ${key} AND (expires_at IS NULL OR expires_at > ${now})`;
    return rows[0];
  }

  return {
    name: "postgres",
    async get(ns, keys, now) {
      const records = await Promise.all(keys.map((key) => selectOne(sql, ns, key, now)));
      return records.filter((record) => record !== undefined).map(toRow);
    },
    async list(ns, range, limit, now) {
      const after = range.after ?? "";
      const records: RowRecord[] =
        range.end === null
          ? await sql`SELECT key, value, version, expires_at FROM buntime_kv
              WHERE ns = ${ns} AND key >= ${range.start} AND key > ${after}
              AND (expires_at IS NULL OR expires_at > ${now}) ORDER BY key LIMIT ${limit}`
          : await sql`SELECT key, value, version, expires_at FROM buntime_kv
              WHERE ns = ${ns} AND key >= ${range.start} AND key < ${range.end} AND key > ${after}
              AND (expires_at IS NULL OR expires_at > ${now}) ORDER BY key LIMIT ${limit}`;
      return records.map(toRow);
    },
    async commit(ns, checks, writes, now) {
      const keys = [...new Set([...checks, ...writes].map((item) => item.key))].sort();
      return sql.begin(async (tx): Promise<BackendCommit> => {
        for (const key of keys) {
          await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`${ns.length}:${ns}:${key}`}, 0))`;
        }
        for (const check of checks) {
          const current = await selectOne(tx, ns, check.key, now);
          if ((current?.version ?? null) !== check.version) return { ok: false, key: check.key };
        }
        const [sequence] = await tx`SELECT nextval('buntime_kv_version') AS n`;
        const version = formatVersion((sequence as { n: string | number }).n);
        for (const write of writes) {
          if (write.value === undefined) {
            await tx`DELETE FROM buntime_kv WHERE ns = ${ns} AND key = ${write.key}`;
          } else {
            await tx`INSERT INTO buntime_kv (ns, key, value, version, expires_at)
              VALUES (${ns}, ${write.key}, ${write.value}, ${version}, ${write.expiresAt})
              ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, version = excluded.version,
              expires_at = excluded.expires_at`;
          }
        }
        return { ok: true, version };
      });
    },
    async usage(ns, now) {
      const { low, high } = childNamespaces(ns);
      const rows: { keys: string; bytes: string | null }[] = await sql`SELECT count(*) AS keys,
        sum(octet_length(key) + octet_length(value)) AS bytes FROM buntime_kv
        WHERE (ns = ${ns} OR (ns >= ${low} AND ns < ${high})) AND (expires_at IS NULL OR expires_at > ${now})`;
      return { keys: Number(rows[0]?.keys ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
    },
    async sweep(now) {
      const result = await sql`DELETE FROM buntime_kv WHERE expires_at IS NOT NULL AND expires_at <= ${now}`;
      return result.count;
    },
    async close() {
      await sql.close();
    },
  };
}
