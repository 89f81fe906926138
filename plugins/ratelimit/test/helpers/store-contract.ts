import { afterAll, describe, expect, it } from "bun:test";
import type { RateLimitStore, ResolvedPolicy } from "@buntime/plugin-ratelimit";

const bucket = (limit: number, window: number, capacity = limit): ResolvedPolicy => ({
  name: "b",
  algorithm: "token-bucket",
  limit,
  window,
  capacity,
});
const sliding = (limit: number, window: number): ResolvedPolicy => ({
  name: "w",
  algorithm: "sliding-window",
  limit,
  window,
  capacity: limit,
});

/**
 * What every rate limit store must do, with time passed in by hand. The memory store and the
 * Redis store both run it; `skip` skips it without opening the store.
 */
export function storeContract(name: string, open: () => RateLimitStore, { skip = false } = {}) {
  let opened: RateLimitStore | undefined;
  // opened on first use, so that a skipped contract never opens it
  const use = () => {
    opened ??= open();
    return opened;
  };
  const store: Pick<RateLimitStore, "consume" | "reset"> = {
    consume: (...args) => use().consume(...args),
    reset: (key) => use().reset(key),
  };
  afterAll(() => opened?.close());
  let n = 0;
  const fresh = () => `contract:${crypto.randomUUID()}:${n++}`;
  const T0 = 1_800_000_000_000; // a whole multiple of every window below

  describe.skipIf(skip)(`${name} store`, () => {
    it("lets a token bucket spend its burst, then refuses with the time until a token is back", async () => {
      const key = fresh();
      const policy = bucket(10, 10_000, 3); // one token a second, three at most
      const allowed = [];
      for (let i = 0; i < 3; i++) allowed.push(await store.consume(key, policy, 1, T0));
      expect(allowed.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
      ]);
      const refused = await store.consume(key, policy, 1, T0);
      expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 1000, limit: 3 });
      expect(refused.resetMs).toBe(3000);
      expect((await store.consume(key, policy, 1, T0 + 999)).allowed).toBe(false);
      expect((await store.consume(key, policy, 1, T0 + 2000)).allowed).toBe(true);
      expect((await store.consume(key, policy, 1, T0 + 1_000_000)).remaining).toBe(2);
    });

    it("charges a cost of several tokens at once", async () => {
      const key = fresh();
      expect((await store.consume(key, bucket(5, 5000), 4, T0)).remaining).toBe(1);
      expect(await store.consume(key, bucket(5, 5000), 2, T0)).toMatchObject({
        allowed: false,
        retryAfterMs: 1000,
      });
    });

    it("counts a sliding window and weighs the previous window by its overlap", async () => {
      const key = fresh();
      const policy = sliding(4, 10_000);
      for (let i = 0; i < 4; i++) expect((await store.consume(key, policy, 1, T0 + 1000)).allowed).toBe(true);
      const refused = await store.consume(key, policy, 1, T0 + 2000);
      expect(refused.allowed).toBe(false);
      expect(refused.resetMs).toBe(8000);
      // Next window, a quarter in: 4 × 0.75 = 3 counted, so one more fits and then none.
      expect(await store.consume(key, policy, 1, T0 + 12_500)).toMatchObject({ allowed: true, remaining: 0 });
      const again = await store.consume(key, policy, 1, T0 + 12_500);
      expect(again.allowed).toBe(false);
      // 4 × w + 1 + 1 <= 4 once w <= 0.5, i.e. 5000 ms into the window: 2500 ms from now.
      expect(again.retryAfterMs).toBe(2500);
      expect((await store.consume(key, policy, 1, T0 + 15_000)).allowed).toBe(true);
    });

    it("forgets a window two windows old", async () => {
      const key = fresh();
      const policy = sliding(1, 1000);
      expect((await store.consume(key, policy, 1, T0)).allowed).toBe(true);
      expect((await store.consume(key, policy, 1, T0 + 500)).allowed).toBe(false);
      expect(await store.consume(key, policy, 1, T0 + 2000)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it("keeps keys apart and resets one on request", async () => {
      const [a, b] = [fresh(), fresh()];
      const policy = sliding(1, 60_000);
      expect((await store.consume(a, policy, 1, T0)).allowed).toBe(true);
      expect((await store.consume(b, policy, 1, T0)).allowed).toBe(true);
      expect((await store.consume(a, policy, 1, T0)).allowed).toBe(false);
      await store.reset(a);
      expect((await store.consume(a, policy, 1, T0)).allowed).toBe(true);
      expect((await store.consume(b, policy, 1, T0)).allowed).toBe(false);
    });

    it("never lets concurrent requests exceed the limit", async () => {
      const key = fresh();
      const decisions = await Promise.all(
        Array.from({ length: 40 }, () => store.consume(key, sliding(25, 60_000), 1, T0)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
    });
  });
}
