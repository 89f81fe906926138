/**
 * Helpers for code that stays synchronous until something actually returns a promise.
 * Bun answers a synchronous Response from `fetch` much faster than a promised one, so the
 * request pipeline only goes async when a hook or handler does.
 */

import type { MaybePromise } from "@buntime/sdk";

export type { MaybePromise };

/** Applies `next` to `value` now, or once it resolves. */
export function then<T, R>(value: MaybePromise<T>, next: (resolved: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
