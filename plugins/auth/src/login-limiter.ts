/**
 * Limits sign-in attempts per user and client. It asks the `ratelimit` service when one is
 * provided (policy `auth-login`); otherwise it counts in memory, in a fixed window, with a
 * bounded table.
 */
import type { RateLimiter, RateLimitPolicy } from "@buntime/sdk";

const MAX_TRACKED = 10_000;

/** Outcome of one attempt: allowed, or refused with the seconds to wait. */
export type AttemptOutcome = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts attempts against `limit` per `windowMs`. */
export class LoginLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly service: () => RateLimiter | undefined,
  ) {}

  /** Records an attempt for `key`; refuses it past the limit. */
  async attempt(key: string): Promise<AttemptOutcome> {
    const shared = this.service();
    if (shared) {
      const outcome = await shared.consume(key, this.policy);
      if (outcome.allowed) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)) };
    }
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size >= MAX_TRACKED) this.prune(now);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count <= this.limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
  }

  /** Forgets the attempts of `key` (after a successful sign-in). */
  async reset(key: string): Promise<void> {
    this.windows.delete(key);
    await this.service()?.reset(key, this.policy);
  }

  private get policy(): RateLimitPolicy {
    return { name: "auth-login", limit: this.limit, window: this.windowMs };
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    if (this.windows.size >= MAX_TRACKED) this.windows.clear();
  }
}
