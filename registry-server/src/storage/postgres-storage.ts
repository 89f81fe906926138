import { SQL } from "bun";
import { createPostgresBlobs } from "./postgres-blobs.ts";
import { createPostgresMetadata } from "./postgres-metadata.ts";
import type { RegistryStorage } from "./types.ts";

/**
 * Metadata and tarballs in one PostgreSQL database (`Bun.sql`), creating the tables on first
 * use. Closing the storage closes the connection pool.
 *
 * @example
 * const storage = await openPostgresStorage("postgres://registry@db:5432/registry");
 * await startRegistry({ storage, port: 4873 });
 */
export async function openPostgresStorage(
  url: string,
  options: { max?: number } = {},
): Promise<RegistryStorage> {
  const sql = new SQL({ url, max: options.max ?? 10 });
  const metadata = await createPostgresMetadata(sql);
  const blobs = await createPostgresBlobs(sql);
  return {
    metadata: { ...metadata, close: () => sql.close() },
    blobs,
  };
}
