/**
 * The size quota on PostgreSQL: a database's size is the sum of its schema's tables (with their
 * indexes and TOAST), materialized views and sequences, as the server counts their pages. A
 * statement that may write runs inside a savepoint (or a transaction of its own) and is undone
 * when the size after it is past the quota, so a write that crosses it changes nothing. The pages
 * it had added are given back by a VACUUM of the schema's tables once no transaction is open.
 */
import type { ReservedSQL } from "bun";

/** Statements that cannot grow the schema, or must not be wrapped: reads and transaction control. */
const NEVER_GROW = new Set([
  "SELECT",
  "VALUES",
  "TABLE",
  "SHOW",
  "EXPLAIN",
  "BEGIN",
  "START",
  "COMMIT",
  "END",
  "ROLLBACK",
  "ABORT",
  "SAVEPOINT",
  "RELEASE",
  "SET",
  "RESET",
  "VACUUM",
  "ANALYZE",
  "DISCARD",
  "DEALLOCATE",
  "PREPARE",
  "LISTEN",
  "UNLISTEN",
  "NOTIFY",
  "CHECKPOINT",
]);

const FIRST_WORD = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*([A-Za-z]+)/;

/**
 * True when `sql` may write, so the quota must be checked after it. `SELECT … INTO` creates a
 * table; a `WITH` may hold an `INSERT`: both count as writes. A read that calls a function
 * which writes is not caught here (the next write counts what it added).
 */
export function mayGrow(sql: string): boolean {
  const word = FIRST_WORD.exec(sql)?.[1]?.toUpperCase();
  if (word === undefined) return false;
  if (word === "SELECT") return /\binto\b/i.test(sql);
  return !NEVER_GROW.has(word);
}

/** Statements that change rows only: after them the schema has the relations it had. */
const ROWS_ONLY = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "WITH"]);

/**
 * The sizes of schemas: the bytes their relations take on the server, uncommitted growth
 * included. Finding a schema's relations reads all of `pg_class` (no index serves it), which
 * costs about 0.3 µs per relation on the server, so each schema's list is kept for `ttl` ms and
 * read again sooner only after a statement that may add relations; summing the listed ones costs
 * only what the schema holds. A relation another kernel added is counted within `ttl`.
 */
export class SchemaSizes {
  readonly #ttl: number;
  readonly #relations = new Map<string, { oids: string[]; at: number }>();

  constructor(ttl = 1000) {
    this.#ttl = ttl;
  }

  /** The bytes of `schema`, after `sql` ran on `conn` (inside its transaction). */
  async bytes(conn: Pick<ReservedSQL, "unsafe">, schema: string, sql: string): Promise<number> {
    const word = FIRST_WORD.exec(sql)?.[1]?.toUpperCase() ?? "";
    let known = this.#relations.get(schema);
    if (!known || !ROWS_ONLY.has(word) || Date.now() - known.at > this.#ttl) {
      const rows = (await conn.unsafe(
        "SELECT oid::text AS oid FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'm', 'S')",
        [schema],
      )) as { oid: string }[];
      known = { oids: rows.map((row) => row.oid), at: Date.now() };
      this.#relations.set(schema, known);
    }
    // a relation dropped since, or not committed, has no size: it adds nothing
    const [row] = (await conn.unsafe(
      "SELECT coalesce(sum(pg_total_relation_size(o)), 0)::int8 AS bytes FROM unnest($1::oid[]) AS o",
      [known.oids],
    )) as { bytes: bigint | number }[];
    return Number(row?.bytes ?? 0);
  }
}

/**
 * Gives back the pages a refused write left behind: PostgreSQL keeps a relation's file as long as
 * it grew, rolled back or not, until VACUUM truncates it. Outside a transaction only.
 */
export async function reclaim(conn: ReservedSQL, schema: string): Promise<void> {
  const [row] = (await conn.unsafe(
    `SELECT string_agg(format('%I.%I', $1::text, relname), ', ') AS list
       FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'm')`,
    [schema],
  )) as { list: string | null }[];
  if (row?.list) await conn.unsafe(`VACUUM ${row.list}`).simple();
}
