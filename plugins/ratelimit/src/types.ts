/**
 * What stores share inside the plugin: a policy resolved for counting, and the store itself.
 * Policies going in and decisions coming out are the `ratelimit` contract's, in `@buntime/sdk`.
 */
import type { RateLimitAlgorithm, RateLimitDecision } from "@buntime/sdk";

/** A policy with defaults applied and the window in milliseconds. */
export interface ResolvedPolicy {
  readonly name: string;
  readonly limit: number;
  readonly window: number;
  readonly algorithm: RateLimitAlgorithm;
  /** Requests a full window allows at once: `burst` (token bucket) or `limit`. */
  readonly capacity: number;
}

/** Where counters live: in this process, or in Redis for several kernels. */
export interface RateLimitStore {
  /** "memory" or "redis", for logs and errors. */
  readonly name: string;
  /** Takes `cost` from the counter under `key`, at time `now` (ms since the epoch). */
  consume(
    key: string,
    policy: ResolvedPolicy,
    cost: number,
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision>;
  /** Forgets the counter under `key`. */
  reset(key: string): void | Promise<void>;
  close(): void | Promise<void>;
}
