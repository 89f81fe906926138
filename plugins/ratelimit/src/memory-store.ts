/**
 * The default store: counters in this process, in an LRU so that a flood of distinct keys
 * (spoofed addresses, random API keys) cannot grow memory without bound. Synchronous, so a
 * request under a memory-backed rule never waits.
 */
import { LRUCache } from "lru-cache";
import { type BucketState, countInWindow, takeTokens, type WindowState } from "./algorithms.ts";
import type { RateLimitStore, ResolvedPolicy } from "./types.ts";

/** Options of the memory store. */
export interface MemoryStoreOptions {
  /** Most counters kept; the least recently used go first. @default 100000 */
  readonly maxKeys?: number;
}

/**
 * Counters in process memory.
 *
 * @example
 * const store = createMemoryStore({ maxKeys: 10_000 });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  const counters = new LRUCache<string, BucketState | WindowState>({ max: options.maxKeys ?? 100_000 });
  // a sliding window's counter lives two windows: one options object per policy, not per request
  const windowTtls = new WeakMap<ResolvedPolicy, { ttl: number }>();
  return {
    name: "memory",
    consume(key, policy, cost, now) {
      if (policy.algorithm === "token-bucket") {
        const step = takeTokens(counters.get(key) as BucketState | undefined, policy, cost, now);
        counters.set(key, step.state, { ttl: Math.max(1, step.decision.resetMs) });
        return step.decision;
      }
      const step = countInWindow(counters.get(key) as WindowState | undefined, policy, cost, now);
      let ttl = windowTtls.get(policy);
      if (ttl === undefined) {
        ttl = { ttl: 2 * policy.window };
        windowTtls.set(policy, ttl);
      }
      counters.set(key, step.state, ttl);
      return step.decision;
    },
    reset(key) {
      counters.delete(key);
    },
    close() {
      counters.clear();
    },
  };
}
