/**
 * Restoring a PostgreSQL database from a dump of ours: in one transaction, as the database's own
 * role, every table, view, sequence, function and type of its schema is dropped and the dump
 * is run in their place, so a restore that fails (a lock it waited for too long, a broken file)
 * changes nothing.
 */
import type { SQL, TransactionSQL } from "bun";

/** What to drop first: views and tables (which take their triggers and identity sequences), then the rest. */
const DROPS = `SELECT line FROM (
    SELECT format('DROP %s IF EXISTS %I CASCADE', CASE relkind WHEN 'v' THEN 'VIEW'
      WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, relname) AS line,
      CASE WHEN relkind IN ('v', 'm') THEN 0 WHEN relkind = 'S' THEN 2 ELSE 1 END AS step
    FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'S')
    UNION ALL
    SELECT format('DROP ROUTINE IF EXISTS %s CASCADE', oid::regprocedure), 3
    FROM pg_proc WHERE pronamespace = $1::regnamespace AND prokind IN ('f', 'p')
    UNION ALL
    SELECT format('DROP TYPE IF EXISTS %I CASCADE', typname), 4
    FROM pg_type WHERE typnamespace = $1::regnamespace AND typtype IN ('e', 'd')
  ) AS drops ORDER BY step`;

/** How long a restore waits for the locks of open transactions on the tables, in ms. */
const LOCK_WAIT = 10_000;

/**
 * Replaces what `schema` holds with `dump` (a file `dumpSchema` wrote), then runs `after` in the
 * same transaction (the migrations newer than the dump): all or nothing.
 */
export async function restoreSchema(
  pool: SQL,
  schema: string,
  dump: string,
  after: (tx: TransactionSQL) => Promise<unknown>,
): Promise<void> {
  await pool.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL search_path TO "${schema}"`);
    await tx.unsafe(`SET LOCAL lock_timeout = ${LOCK_WAIT}`);
    for (const { line } of (await tx.unsafe(DROPS, [schema])) as { line: string }[]) await tx.unsafe(line);
    await tx.unsafe(dump).simple();
    await after(tx);
  });
}
