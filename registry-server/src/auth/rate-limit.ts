import { BuntimeError } from "@buntime/sdk";

/** Tracks failed sign-ins per client and refuses a client past its allowance. */
export interface AuthRateLimiter {
  /** Throws `BUNTIME_ERR_REGISTRY_RATE_LIMITED` when `client` is locked out. */
  check(client: string): void;
  fail(client: string): void;
}

/** A fixed-window limiter: `attempts` failures per `windowMs` per client. */
export function createAuthRateLimiter(attempts: number, windowMs: number): AuthRateLimiter {
  const failures = new Map<string, { count: number; resetAt: number }>();
  return {
    check(client) {
      const entry = failures.get(client);
      if (!entry) return;
      const now = Date.now();
      if (now >= entry.resetAt) failures.delete(client);
      else if (entry.count >= attempts) {
        throw new BuntimeError("BUNTIME_ERR_REGISTRY_RATE_LIMITED", {
          seconds: Math.ceil((entry.resetAt - now) / 1000),
        });
      }
    },
    fail(client) {
      const now = Date.now();
      const entry = failures.get(client);
      if (!entry || now >= entry.resetAt) failures.set(client, { count: 1, resetAt: now + windowMs });
      else entry.count += 1;
      if (failures.size > 10_000) {
        for (const [key, value] of failures) if (now >= value.resetAt) failures.delete(key);
      }
    },
  };
}
