/**
 * Migrations: the SQL files of an app's `migrations/` folder, applied in name order, each once.
 * They run under SQLite's write lock (BEGIN IMMEDIATE), so two processes or kernels opening the
 * same database at once apply each file exactly once; the second waits and finds them applied.
 */
import type { Database } from "bun:sqlite";
import { guardSql } from "./guard.ts";

/** One migration file: its name (the order) and its SQL. */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/** How long a start waits for another one's migrations, in ms. */
const LOCK_WAIT = 30_000;

/** Applies the migrations `db` has not seen; returns the names applied now. All or none. */
export function migrate(db: Database, migrations: readonly Migration[]): string[] {
  if (migrations.length === 0) return [];
  db.run(`PRAGMA busy_timeout = ${LOCK_WAIT}`);
  db.run("BEGIN IMMEDIATE");
  const applied: string[] = [];
  let current = "";
  try {
    db.run(
      "CREATE TABLE IF NOT EXISTS _buntime_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    );
    const seen = new Set(
      db
        .query<{ name: string }, []>("SELECT name FROM _buntime_migrations")
        .all()
        .map((r) => r.name),
    );
    for (const migration of migrations) {
      if (seen.has(migration.name)) continue;
      current = migration.name;
      // an app's migrations are its SQL like any other: the same guard applies
      guardSql(migration.sql);
      db.run(migration.sql);
      db.run("INSERT INTO _buntime_migrations (name, applied_at) VALUES (?, ?)", [
        migration.name,
        new Date().toISOString(),
      ]);
      applied.push(migration.name);
    }
    db.run("COMMIT");
    return applied;
  } catch (error) {
    if (db.inTransaction) db.run("ROLLBACK");
    throw Object.assign(new Error((error as Error).message), { migration: current });
  }
}
