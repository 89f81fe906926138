import type { RegistryStorage } from "./types.ts";

/**
 * Deletes blobs no version references and older than `graceMs` (younger ones may belong to a
 * publish in flight on another node). Such orphans are what a crash between the blob write and
 * the metadata commit leaves. Returns the deleted keys.
 */
export async function sweepOrphanBlobs(storage: RegistryStorage, graceMs = 10 * 60_000): Promise<string[]> {
  const referenced = await storage.metadata.referencedBlobs();
  const cutoff = Date.now() - graceMs;
  const swept: string[] = [];
  for (const { key, modifiedAt } of await storage.blobs.list()) {
    if (!referenced.has(key) && modifiedAt <= cutoff) {
      await storage.blobs.delete(key);
      swept.push(key);
    }
  }
  return swept;
}
