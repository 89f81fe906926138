import type { SQL } from "bun";
import type { BlobStore } from "./types.ts";

/**
 * Tarballs as `bytea` rows in PostgreSQL, so several registry nodes share them without a
 * shared disk. A put returns once its transaction committed (durable with the server's
 * default `fsync = on`).
 */
export async function createPostgresBlobs(sql: SQL): Promise<BlobStore> {
  await sql`CREATE TABLE IF NOT EXISTS registry_blobs (key TEXT PRIMARY KEY, data BYTEA NOT NULL, modified_at BIGINT NOT NULL)`;
  return {
    async put(key, bytes) {
      await sql`INSERT INTO registry_blobs VALUES (${key}, ${bytes}, ${Date.now()})
        ON CONFLICT (key) DO UPDATE SET data = excluded.data, modified_at = excluded.modified_at`;
    },
    async get(key) {
      const [row] = (await sql`SELECT data FROM registry_blobs WHERE key = ${key}`) as { data: Uint8Array }[];
      return row ? new Blob([new Uint8Array(row.data)]) : undefined;
    },
    async delete(key) {
      await sql`DELETE FROM registry_blobs WHERE key = ${key}`;
    },
    async list() {
      const found = (await sql`SELECT key, modified_at FROM registry_blobs`) as {
        key: string;
        modified_at: unknown;
      }[];
      return found.map((row) => ({ key: row.key, modifiedAt: Number(row.modified_at) }));
    },
    async close() {},
  };
}
