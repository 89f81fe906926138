import type { MetadataStore } from "../storage/types.ts";

/** Counts tarball downloads in memory and writes them to the metadata store in batches. */
export interface DownloadCounter {
  record(name: string, version: string): void;
  /** Writes pending counts now. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

/**
 * A counter that flushes every `intervalMs`, so a burst of tarball GETs costs one write per
 * version rather than one per request.
 */
export function createDownloadCounter(metadata: MetadataStore, intervalMs = 1000): DownloadCounter {
  let pending = new Map<string, { name: string; version: string; count: number }>();
  const flush = async () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const day = new Date().toISOString().slice(0, 10);
    for (const { name, version, count } of batch.values()) {
      await metadata.addDownloads(name, version, day, count);
    }
  };
  const timer = setInterval(() => void flush().catch(() => {}), intervalMs);
  timer.unref();
  return {
    record(name, version) {
      const key = `${name}@${version}`;
      const entry = pending.get(key);
      if (entry) entry.count += 1;
      else pending.set(key, { name, version, count: 1 });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
