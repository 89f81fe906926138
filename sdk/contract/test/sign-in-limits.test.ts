import { describe, expect, it } from "bun:test";
import { createSignInLimiter, memoryFailureStore } from "@buntime/sdk";

describe("createSignInLimiter", () => {
  it("counts failures per address and per account apart, and forgets them when the window ends", async () => {
    const limits = createSignInLimiter({ attempts: 2, windowMs: 150 });
    await limits.fail({ address: "a", account: "ada" });
    await limits.fail({ address: "b", account: "ada" });
    expect(await limits.check({ address: "c", account: "ada" })).toMatchObject({ subject: "account ada" });
    expect(await limits.check({ address: "a", account: "bob" })).toBeUndefined();
    await limits.fail({ address: "a" }); // a bare token: the address only
    expect(await limits.check({ address: "a", account: "bob" })).toEqual({
      subject: "address a",
      seconds: 1,
    });
    await Bun.sleep(200);
    expect(await limits.check({ address: "a", account: "ada" })).toBeUndefined();
  });

  it("keeps a bounded table, dropping the oldest failures first", async () => {
    const store = memoryFailureStore(3);
    const window = { count: 1, resetAt: Date.now() + 60_000 };
    for (const key of ["one", "two", "three", "four"]) await store.set(key, window);
    expect(await store.get("one")).toBeUndefined();
    expect(await store.get("four")).toEqual(window);
  });
});
