import { describe, expect, it } from "bun:test";
import { createMemoryStore } from "@buntime/plugin-ratelimit";
import { storeContract } from "./helpers/store-contract.ts";

storeContract("memory", () => createMemoryStore());

describe("memory store", () => {
  it("answers synchronously, so memory-backed rules never make a request wait", () => {
    const store = createMemoryStore();
    const decision = store.consume(
      "k",
      { name: "n", algorithm: "sliding-window", limit: 1, window: 1000, capacity: 1 },
      1,
      0,
    );
    expect(decision instanceof Promise).toBe(false);
  });

  it("keeps at most maxKeys counters, dropping the least recently used", () => {
    const store = createMemoryStore({ maxKeys: 2 });
    const policy = { name: "n", algorithm: "sliding-window", limit: 1, window: 60_000, capacity: 1 } as const;
    for (const key of ["a", "b", "c"]) store.consume(key, policy, 1, 0);
    expect((store.consume("a", policy, 1, 0) as { allowed: boolean }).allowed).toBe(true); // forgotten
    expect((store.consume("c", policy, 1, 0) as { allowed: boolean }).allowed).toBe(false);
  });
});
