import type { RenderedJson } from "../http/etag.ts";

/**
 * Rendered packuments keyed by package, kind and base URL, each valid while the package's
 * `modifiedAt` is unchanged (every write bumps it, on any node sharing the store), so a hit
 * costs one metadata read instead of reading and rendering every version.
 */
export interface PackumentCache {
  get(key: string, modifiedAt: string): RenderedJson | undefined;
  set(key: string, modifiedAt: string, rendered: RenderedJson): void;
}

/** A cache holding at most `capacity` packuments, dropping the least recently used. */
export function createPackumentCache(capacity = 1000): PackumentCache {
  const entries = new Map<string, { modifiedAt: string; rendered: RenderedJson }>();
  return {
    get(key, modifiedAt) {
      const entry = entries.get(key);
      if (!entry || entry.modifiedAt !== modifiedAt) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.rendered;
    },
    set(key, modifiedAt, rendered) {
      entries.delete(key);
      entries.set(key, { modifiedAt, rendered });
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
  };
}
