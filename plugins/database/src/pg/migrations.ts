/**
 * An app's migrations on its PostgreSQL schema: applied in name order, each once, inside the
 * caller's transaction and under an advisory lock on the schema, so kernels starting at once
 * (or a restore meeting a start) apply each migration exactly once.
 */
import type { TransactionSQL } from "bun";
import type { Migration } from "../engine/migrations.ts";

/** Applies the migrations the schema has not seen; returns their names. Throws naming the one that failed. */
export async function applyMigrations(
  tx: TransactionSQL,
  schema: string,
  migrations: readonly Migration[],
): Promise<string[]> {
  await tx`SELECT pg_advisory_xact_lock(hashtextextended(${schema}, 0))`;
  await tx.unsafe(`SET LOCAL search_path TO "${schema}"`);
  await tx.unsafe(
    "CREATE TABLE IF NOT EXISTS _buntime_migrations (name text PRIMARY KEY, applied_at text NOT NULL)",
  );
  const rows = (await tx.unsafe("SELECT name FROM _buntime_migrations")) as { name: string }[];
  const seen = new Set(rows.map((r) => r.name));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (seen.has(migration.name)) continue;
    try {
      await tx.unsafe(migration.sql);
    } catch (error) {
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
        migration: migration.name,
      });
    }
    await tx.unsafe("INSERT INTO _buntime_migrations (name, applied_at) VALUES ($1, $2)", [
      migration.name,
      new Date().toISOString(),
    ]);
    applied.push(migration.name);
  }
  return applied;
}
