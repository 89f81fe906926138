import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createFsBlobs } from "./fs-blobs.ts";
import { createSqliteMetadata } from "./sqlite-metadata.ts";
import type { RegistryStorage } from "./types.ts";

/**
 * The embedded default: metadata in `<dir>/registry.db` (SQLite, WAL) and tarballs under
 * `<dir>/tarballs/`.
 */
export function openSqliteStorage(dir: string): RegistryStorage {
  mkdirSync(dir, { recursive: true });
  return {
    metadata: createSqliteMetadata(join(dir, "registry.db")),
    blobs: createFsBlobs(join(dir, "tarballs")),
  };
}
