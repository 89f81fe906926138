/**
 * The two algorithms as pure functions over a counter's state, for the memory store. The Redis
 * store runs the same arithmetic in Lua (redis-scripts.ts); one contract suite checks both.
 */
import type { RateLimitDecision } from "@buntime/sdk";
import type { ResolvedPolicy } from "./types.ts";

/** Token bucket: `tokens` left at time `at`. */
export interface BucketState {
  tokens: number;
  at: number;
}

/** Sliding window counter: requests in the window starting at `start` and in the one before. */
export interface WindowState {
  start: number;
  current: number;
  previous: number;
}

/** A decision and the state to keep. */
export interface Step<S> {
  state: S;
  decision: RateLimitDecision;
}

function decision(
  policy: ResolvedPolicy,
  allowed: boolean,
  remaining: number,
  resetMs: number,
  retryAfterMs: number,
) {
  return {
    policy: policy.name,
    allowed,
    limit: policy.capacity,
    remaining: Math.max(0, Math.floor(remaining)),
    resetMs: Math.max(0, Math.ceil(resetMs)),
    retryAfterMs: allowed ? 0 : Math.max(1, Math.ceil(retryAfterMs)),
    windowMs: policy.window,
  };
}

/**
 * Token bucket: the bucket holds up to `capacity` tokens and refills `limit` per window,
 * continuously. A request takes `cost` tokens; a refused one takes none.
 */
export function takeTokens(
  state: BucketState | undefined,
  policy: ResolvedPolicy,
  cost: number,
  now: number,
): Step<BucketState> {
  const rate = policy.limit / policy.window;
  let tokens = policy.capacity;
  let at = now;
  if (state) {
    at = Math.max(now, state.at);
    tokens = Math.min(policy.capacity, state.tokens + Math.max(0, now - state.at) * rate);
  }
  const allowed = tokens >= cost;
  if (allowed) tokens -= cost;
  return {
    state: { tokens, at },
    decision: decision(policy, allowed, tokens, (policy.capacity - tokens) / rate, (cost - tokens) / rate),
  };
}

/**
 * Sliding window counter: the count over the last `window` ms is estimated as this fixed
 * window's count plus the previous one's, weighted by how much of it still overlaps.
 */
export function countInWindow(
  state: WindowState | undefined,
  policy: ResolvedPolicy,
  cost: number,
  now: number,
): Step<WindowState> {
  const size = policy.window;
  const start = Math.floor(now / size) * size;
  let current = 0;
  let previous = 0;
  if (state?.start === start) {
    current = state.current;
    previous = state.previous;
  } else if (state?.start === start - size) {
    previous = state.current;
  }
  const elapsed = now - start;
  const weight = (size - elapsed) / size;
  const allowed = previous * weight + current + cost <= policy.limit;
  if (allowed) current += cost;
  let retryAfterMs = 0;
  if (!allowed) {
    if (current + cost <= policy.limit) {
      // Wait until enough of the previous window has slid out.
      retryAfterMs = size * (1 - (policy.limit - current - cost) / previous) - elapsed;
    } else {
      // Wait into the next window, where this one becomes the previous.
      retryAfterMs = size - elapsed + size * (1 - (policy.limit - cost) / current);
    }
  }
  const remaining = policy.limit - (previous * weight + current);
  return {
    state: { start, current, previous },
    decision: decision(policy, allowed, remaining, size - elapsed, retryAfterMs),
  };
}
