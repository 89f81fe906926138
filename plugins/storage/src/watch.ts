/**
 * Watch: tells a listener when keys (or keys under a prefix) change. It polls the store and
 * compares versions, so it sees a write whoever made it, on this kernel or another one sharing
 * the backend; a change between two polls that is undone by the next is not seen.
 */
import type { KeyValueStore, KvEntry } from "@buntime/sdk";
import { BuntimeError } from "@buntime/sdk";

/** What to watch: some keys, or every key under a prefix (at most `MAX_WATCHED` of them). */
export interface WatchTarget {
  readonly keys?: readonly string[];
  readonly prefix?: string;
}

/** A change: the entry now, or null for a key that is gone. */
export interface KvChange {
  readonly key: string;
  readonly entry: KvEntry | null;
}

/** Most keys one watch follows. */
export const MAX_WATCHED = 1000;

/** The entries `target` covers now, by key. */
async function snapshot(store: KeyValueStore, target: WatchTarget): Promise<Map<string, KvEntry>> {
  const entries: KvEntry[] = [];
  if (target.keys && target.keys.length > 0) {
    for (const entry of await store.getMany(target.keys)) if (entry) entries.push(entry);
  }
  if (target.prefix !== undefined) {
    entries.push(...(await store.list({ prefix: target.prefix, limit: MAX_WATCHED })).entries);
  }
  return new Map(entries.map((entry) => [entry.key, entry]));
}

/**
 * Calls `listener` with the current entries at once, then with each change, polling every
 * `interval` ms. Returns a function that stops watching.
 */
export function watch(
  store: KeyValueStore,
  target: WatchTarget,
  listener: (changes: KvChange[]) => void,
  interval = 250,
): () => void {
  const keys = target.keys ?? [];
  if (keys.length === 0 && target.prefix === undefined) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", {
      details: "watch needs keys or a prefix",
    });
  }
  if (keys.length > MAX_WATCHED) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", {
      details: `watch follows at most ${MAX_WATCHED} keys`,
    });
  }
  let stopped = false;
  let timer: Timer | undefined;
  let known: Map<string, KvEntry> | undefined;
  const poll = async () => {
    try {
      const now = await snapshot(store, target);
      const changes: KvChange[] = [];
      for (const [key, entry] of now) {
        if (known?.get(key)?.version !== entry.version) changes.push({ key, entry });
      }
      for (const key of known?.keys() ?? []) if (!now.has(key)) changes.push({ key, entry: null });
      // the first call tells what there is, even nothing, so the watcher knows it is live
      if (!known || changes.length > 0) {
        if (!known) for (const key of keys) if (!now.has(key)) changes.push({ key, entry: null });
        if (!stopped) listener(changes);
      }
      known = now;
    } catch {
      // a backend failing for a moment: the next poll tries again
    } finally {
      if (!stopped) timer = setTimeout(poll, interval);
    }
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
