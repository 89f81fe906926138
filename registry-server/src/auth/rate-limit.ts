import { BuntimeError } from "@buntime/sdk";

/**
 * Who a sign-in attempt is counted against: always the client address, and the account when a
 * password was tried for one (so guesses spread over many addresses are limited too).
 */
export interface SignInAttempt {
  address: string;
  account?: string;
}

/**
 * Tracks failed sign-ins per address and per account, separately. Only sign-ins are limited:
 * a request carrying a valid token never consults it, so a flood of wrong guesses from one
 * address cannot lock out the tokens already in use there.
 */
export interface AuthRateLimiter {
  /**
   * Throws `BUNTIME_ERR_REGISTRY_RATE_LIMITED` (naming the address or the account, with the
   * seconds to wait) when either is past its allowance.
   */
  check(attempt: SignInAttempt): void;
  /** Counts one failure against the address and, when given, the account. */
  fail(attempt: SignInAttempt): void;
}

/** The keys of an attempt, each with how the refusal names it. */
function keysOf(attempt: SignInAttempt): { key: string; subject: string }[] {
  const keys = [{ key: `address:${attempt.address}`, subject: `address ${attempt.address}` }];
  if (attempt.account !== undefined)
    keys.push({ key: `account:${attempt.account}`, subject: `account ${attempt.account}` });
  return keys;
}

/** A fixed-window limiter: `attempts` failures per `windowMs`, per address and per account. */
export function createAuthRateLimiter(attempts: number, windowMs: number): AuthRateLimiter {
  const failures = new Map<string, { count: number; resetAt: number }>();
  return {
    check(attempt) {
      const now = Date.now();
      for (const { key, subject } of keysOf(attempt)) {
        const entry = failures.get(key);
        if (!entry) continue;
        if (now >= entry.resetAt) failures.delete(key);
        else if (entry.count >= attempts) {
          throw new BuntimeError("BUNTIME_ERR_REGISTRY_RATE_LIMITED", {
            subject,
            seconds: Math.ceil((entry.resetAt - now) / 1000),
          });
        }
      }
    },
    fail(attempt) {
      const now = Date.now();
      for (const { key } of keysOf(attempt)) {
        const entry = failures.get(key);
        if (!entry || now >= entry.resetAt) failures.set(key, { count: 1, resetAt: now + windowMs });
        else entry.count += 1;
      }
      // Bounded memory under a flood from many addresses: expired windows are dropped.
      if (failures.size > 10_000) {
        for (const [key, value] of failures) if (now >= value.resetAt) failures.delete(key);
      }
    },
  };
}
