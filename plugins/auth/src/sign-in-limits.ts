/**
 * Where the auth plugin keeps failed sign-ins: in its `keyval` namespace when storage is
 * provided (so kernels that share users and sessions share the counts), else in a bounded
 * process-local table. The counting itself is `@buntime/sdk`'s `createSignInLimiter`, which the
 * registry uses too.
 */
import {
  BuntimeError,
  createSignInLimiter,
  type FailureStore,
  type FailureWindow,
  memoryFailureStore,
  type SignInAttempt,
  type SignInLimiter,
} from "@buntime/sdk";
import type { AuthKv } from "./kv.ts";

/** Failures under `limits/<key>`, each kept until its window ends. */
function kvFailureStore(kv: AuthKv): FailureStore {
  return {
    get: async (key) => (await kv.get<FailureWindow>(`limits/${key}`))?.value,
    async set(key, window) {
      await kv.set(`limits/${key}`, window, { ttl: Math.max(1, window.resetAt - Date.now()) });
    },
  };
}

/** Limits of `attempts` failures per `windowMs`, per address and per account. */
export function createAuthSignInLimits(
  attempts: number,
  windowMs: number,
  kv: AuthKv | undefined,
): SignInLimiter {
  return createSignInLimiter({ attempts, windowMs, store: kv ? kvFailureStore(kv) : memoryFailureStore() });
}

/** Throws `BUNTIME_ERR_AUTH_RATE_LIMITED`, naming who is limited, when the attempt's address or account is. */
export async function refuseIfLimited(limits: SignInLimiter, attempt: SignInAttempt): Promise<void> {
  const refused = await limits.check(attempt);
  if (refused) throw new BuntimeError("BUNTIME_ERR_AUTH_RATE_LIMITED", { ...refused });
}
