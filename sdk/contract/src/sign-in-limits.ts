/**
 * Limits on failed sign-ins, per client address and per account, counted separately: guesses
 * at one account spread over many addresses lock that account for a while, and guesses at many
 * accounts from one address limit that address. Only failures count, so a correct password is
 * refused only while its account or its address is limited. The auth plugin and the registry
 * both use it; each words the refusal with its own error code.
 */
import type { MaybePromise } from "./plugin.ts";

/** Who one sign-in attempt is counted against: its address, and the account it tried. */
export interface SignInAttempt {
  readonly address: string;
  /** The account whose password was tried; absent for a bare token that matched no account. */
  readonly account?: string;
}

/** Who is limited (`address 203.0.113.9`, `account ada`) and the seconds until they may retry. */
export interface SignInRefusal {
  readonly subject: string;
  readonly seconds: number;
}

/** The failures of one address or account in its current window. */
export interface FailureWindow {
  readonly count: number;
  /** When the window ends, in milliseconds since the epoch. */
  readonly resetAt: number;
}

/** Where failures are kept, by key (`address:<address>`, `account:<name>`). */
export interface FailureStore {
  get(key: string): MaybePromise<FailureWindow | undefined>;
  /** Keeps `window` for `key` until `window.resetAt` at least. */
  set(key: string, window: FailureWindow): MaybePromise<void>;
}

/** Options of `createSignInLimiter`. */
export interface SignInLimitOptions {
  /** Failures allowed per address, and per account, within a window. */
  readonly attempts: number;
  readonly windowMs: number;
  /** @default memoryFailureStore() */
  readonly store?: FailureStore;
}

/** Checks sign-in attempts before the password is verified, and counts the ones that failed. */
export interface SignInLimiter {
  /** The refusal when the attempt's address or account is past its allowance, else undefined. */
  check(attempt: SignInAttempt): Promise<SignInRefusal | undefined>;
  /** Counts one failure against the address and, when given, the account. */
  fail(attempt: SignInAttempt): Promise<void>;
}

/** The keys of an attempt, each with how a refusal names it. */
function keysOf(attempt: SignInAttempt): { key: string; subject: string }[] {
  const keys = [{ key: `address:${attempt.address}`, subject: `address ${attempt.address}` }];
  if (attempt.account !== undefined) {
    keys.push({ key: `account:${attempt.account}`, subject: `account ${attempt.account}` });
  }
  return keys;
}

/**
 * A process-local store of at most `maxTracked` windows: under a flood from many addresses the
 * ended windows are dropped first, then the oldest.
 */
export function memoryFailureStore(maxTracked = 10_000): FailureStore {
  const windows = new Map<string, FailureWindow>();
  return {
    get: (key) => windows.get(key),
    set(key, window) {
      windows.delete(key); // re-inserted last: the Map's order is the age of the last failure
      if (windows.size >= maxTracked) {
        const now = Date.now();
        for (const [old, kept] of windows) if (kept.resetAt <= now) windows.delete(old);
        for (const old of windows.keys()) {
          if (windows.size < maxTracked) break;
          windows.delete(old);
        }
      }
      windows.set(key, window);
    },
  };
}

/**
 * A fixed-window limiter: `attempts` failures per `windowMs`, per address and per account.
 *
 * @example
 * const limits = createSignInLimiter({ attempts: 5, windowMs: 60_000 });
 * const attempt = { address, account: username };
 * const refused = await limits.check(attempt); // before hashing anything
 * if (refused) throw new BuntimeError("BUNTIME_ERR_AUTH_RATE_LIMITED", { ...refused });
 * if (!(await verify(username, password))) await limits.fail(attempt);
 */
export function createSignInLimiter(options: SignInLimitOptions): SignInLimiter {
  const store = options.store ?? memoryFailureStore();
  return {
    async check(attempt) {
      const now = Date.now();
      for (const { key, subject } of keysOf(attempt)) {
        const window = await store.get(key);
        if (window && window.resetAt > now && window.count >= options.attempts) {
          return { subject, seconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
        }
      }
      return undefined;
    },
    async fail(attempt) {
      const now = Date.now();
      for (const { key } of keysOf(attempt)) {
        const window = await store.get(key);
        const live = window !== undefined && window.resetAt > now;
        await store.set(
          key,
          live
            ? { count: window.count + 1, resetAt: window.resetAt }
            : { count: 1, resetAt: now + options.windowMs },
        );
      }
    },
  };
}
