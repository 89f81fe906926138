import { BuntimeError, createSignInLimiter, type SignInAttempt } from "@buntime/sdk";

/**
 * Tracks failed sign-ins per address and per account, separately (the shared limiter of
 * `@buntime/sdk`). Only sign-ins are limited: a request carrying a valid token never consults
 * it, so a flood of wrong guesses from one address cannot lock out the tokens already in use there.
 */
export interface AuthRateLimiter {
  /**
   * Throws `BUNTIME_ERR_REGISTRY_RATE_LIMITED` (naming the address or the account, with the
   * seconds to wait) when either is past its allowance.
   */
  check(attempt: SignInAttempt): Promise<void>;
  /** Counts one failure against the address and, when given, the account. */
  fail(attempt: SignInAttempt): Promise<void>;
}

/** `attempts` failures per `windowMs`, per address and per account, counted in memory. */
export function createAuthRateLimiter(attempts: number, windowMs: number): AuthRateLimiter {
  const limits = createSignInLimiter({ attempts, windowMs });
  return {
    async check(attempt) {
      const refused = await limits.check(attempt);
      if (refused) throw new BuntimeError("BUNTIME_ERR_REGISTRY_RATE_LIMITED", { ...refused });
    },
    fail: (attempt) => limits.fail(attempt),
  };
}
