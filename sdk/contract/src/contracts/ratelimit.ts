/**
 * The `ratelimit` service contract: limits that other plugins take from (sign-in attempts,
 * their own API calls). `@buntime/plugin-ratelimit` provides it.
 */

/** The two algorithms. */
export type RateLimitAlgorithm = "token-bucket" | "sliding-window";

/** A limit: `limit` requests per `window`, under a name that keeps its counters apart. */
export interface RateLimitPolicy {
  /** Names the counters; two policies with one name share them. @default "<algorithm>:<limit>/<window ms>" */
  readonly name?: string;
  /** Requests allowed per window (sliding window), or tokens refilled per window (token bucket). */
  readonly limit: number;
  /** The window: milliseconds or a duration such as `"1m"` (give this or `windowMs`). */
  readonly window?: number | string;
  /** The window in milliseconds (give this or `window`). */
  readonly windowMs?: number;
  /** @default "sliding-window" */
  readonly algorithm?: RateLimitAlgorithm;
  /** Token bucket only: the bucket's size, i.e. the largest burst. @default limit */
  readonly burst?: number;
}

/** The outcome of taking from a limit. */
export interface RateLimitDecision {
  /** The name of the policy that decided. */
  readonly policy: string;
  readonly allowed: boolean;
  /** The policy's capacity, for `RateLimit-Limit`. */
  readonly limit: number;
  /** Whole requests left right now. */
  readonly remaining: number;
  /** Milliseconds until the limit is fully available again. */
  readonly resetMs: number;
  /** Milliseconds until a refused request would be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
  /** The policy's window in milliseconds, for `RateLimit-Policy`. */
  readonly windowMs: number;
}

/**
 * The `ratelimit` service, for plugins that limit something of their own.
 *
 * @example
 * const attempts = { name: "login", limit: 5, window: "15m" };
 * const decision = await ctx.services.get("ratelimit").consume(`user:${username}`, attempts);
 * if (!decision.allowed) return ratelimit.exceeded(decision);
 * // ... on a successful login:
 * await ratelimit.reset(`user:${username}`, attempts);
 */
export interface RateLimiter {
  /** Takes `cost` (default 1) from `key`'s counter under `policy`. */
  consume(key: string, policy: RateLimitPolicy, cost?: number): Promise<RateLimitDecision>;
  /** Clears `key`'s counter under `policy` (e.g. after a successful login). */
  reset(key: string, policy: RateLimitPolicy): Promise<void>;
  /** The `RateLimit-*` headers (and `Retry-After` when refused) of a decision. */
  headers(decision: RateLimitDecision): Record<string, string>;
  /** A 429 JSON response (`BUNTIME_ERR_RATELIMIT_EXCEEDED`) with the decision's headers. */
  exceeded(decision: RateLimitDecision): Response;
}
