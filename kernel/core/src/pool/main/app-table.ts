/**
 * The apps the pool keeps warm, least recently used first, at most `max`. Making room for a
 * newcomer evicts the least recently used app with nothing in flight, so a busy app is never
 * cut off for another; only when every app is busy does the least recently used one go (its
 * requests in flight still finish). Hand-written rather than lru-cache, which evicts by recency
 * alone and cannot pass over a busy entry.
 */
import type { AppSlot } from "./app-slot.ts";

export class AppTable {
  /** Insertion order is recency: a slot used is moved to the end. */
  private readonly slots = new Map<string, AppSlot>();
  /** The key at the end (most recently used), which `get` need not move: one app's requests skip the reinsertion. */
  private newest: string | undefined;
  /** Apps evicted to make room, since the pool started. */
  evicted = 0;

  constructor(
    private readonly max: number,
    private readonly onEvict: (slot: AppSlot) => void,
  ) {}

  /** The slot of `key`, now the most recently used. */
  get(key: string): AppSlot | undefined {
    const slot = this.slots.get(key);
    if (slot !== undefined && key !== this.newest) {
      this.slots.delete(key);
      this.slots.set(key, slot);
      this.newest = key;
    }
    return slot;
  }

  /** The slot of `key`, its recency unchanged. */
  peek(key: string): AppSlot | undefined {
    return this.slots.get(key);
  }

  /** Adds `slot` as the most recently used, evicting one app if that makes too many. */
  set(key: string, slot: AppSlot): void {
    if (!this.slots.has(key)) this.newest = key; // a replaced slot keeps its place
    this.slots.set(key, slot);
    if (this.slots.size > this.max) this.evictOne(key);
  }

  /** Takes `key` out without evicting it (the caller retires it). */
  delete(key: string): void {
    this.slots.delete(key);
    if (key === this.newest) this.newest = undefined;
  }

  values(): IterableIterator<AppSlot> {
    return this.slots.values();
  }

  /** Empties the table; returns what it held. */
  clear(): AppSlot[] {
    const all = [...this.slots.values()];
    this.slots.clear();
    this.newest = undefined;
    return all;
  }

  private evictOne(newcomer: string): void {
    let victim: string | undefined;
    for (const [key, slot] of this.slots) {
      if (key === newcomer) continue;
      if (slot.metrics.active === 0) {
        victim = key;
        break;
      }
      victim ??= key; // every app busy: the least recently used goes
    }
    if (victim === undefined) return;
    const slot = this.slots.get(victim) as AppSlot;
    this.delete(victim);
    this.evicted++;
    this.onEvict(slot);
  }
}
