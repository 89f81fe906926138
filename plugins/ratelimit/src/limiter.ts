/** The `ratelimit` service (the contract's `RateLimiter`) over a store. */
import { BuntimeError, type RateLimiter } from "@buntime/sdk";
import { decisionHeaders, exceededResponse } from "./headers.ts";
import { policyOf } from "./policy.ts";
import type { RateLimitStore } from "./types.ts";

/** Options of `createRateLimiter`. */
export interface RateLimiterOptions {
  /** The clock (ms since the epoch). @default Date.now */
  readonly now?: () => number;
}

/**
 * The service other plugins use; its counters live under `svc:<policy>:<key>` in the store,
 * apart from those of the plugin's own rules.
 *
 * @example
 * const limiter = createRateLimiter(createMemoryStore());
 * const decision = await limiter.consume("ip:10.0.0.1", { name: "search", limit: 10, window: "1s" });
 */
export function createRateLimiter(store: RateLimitStore, options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  /** Gives a store failure the store's coded error, keeping the cause. */
  async function guarded<T>(work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const details = error instanceof Error ? error.message : String(error);
      throw new BuntimeError(
        "BUNTIME_ERR_RATELIMIT_STORE_FAILED",
        { store: store.name, details },
        { cause: error },
      );
    }
  }
  return {
    async consume(key, policy, cost = 1) {
      const resolved = policyOf(policy);
      if (!Number.isInteger(cost) || cost < 1 || cost > resolved.capacity) {
        throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
          details: `rate limit cost must be a whole number from 1 to ${resolved.capacity}, got ${cost}`,
        });
      }
      return guarded(() => store.consume(`svc:${resolved.name}:${key}`, resolved, cost, now()));
    },
    async reset(key, policy) {
      const { name } = policyOf(policy);
      await guarded(() => store.reset(`svc:${name}:${key}`));
    },
    headers: decisionHeaders,
    exceeded: exceededResponse,
  } satisfies RateLimiter;
}
