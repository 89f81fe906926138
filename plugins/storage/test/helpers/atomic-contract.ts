import { describe, expect, it } from "bun:test";
import type { KeyValueStore } from "@buntime/sdk";

/** Atomic sum, min and max, as every backend must apply them; `open` gives a store in a namespace of its own. */
export function atomicContract(name: string, open: () => Promise<KeyValueStore>) {
  describe(`keyval sum, min and max on ${name}`, () => {
    it("combines with the current number, and an absent key takes the operand", async () => {
      const store = await open();
      expect((await store.batch([{ type: "sum", key: "n", value: 5 }])).ok).toBe(true);
      await store.batch([{ type: "sum", key: "n", value: 2.5 }]);
      await store.batch([
        { type: "min", key: "low", value: 7 },
        { type: "max", key: "high", value: 7 },
      ]);
      await store.batch([
        { type: "min", key: "low", value: 3 },
        { type: "max", key: "high", value: 3 },
        { type: "sum", key: "n", value: -0.5 },
      ]);
      const entries = await store.getMany(["n", "low", "high"]);
      expect(entries.map((e) => e?.value)).toEqual([7, 3, 7]);
    });

    it("loses no update when many writers sum at once", async () => {
      const store = await open();
      const results = await Promise.all(
        Array.from({ length: 25 }, () => store.batch([{ type: "sum", key: "hits", value: 1 }])),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect((await store.get("hits"))?.value).toBe(25);
    });

    it("fails as a whole on a value that is no number, or a check that does not hold, changing nothing", async () => {
      const store = await open();
      await store.set("name", "ada");
      const set = await store.set("n", 1);
      const refused = await store
        .batch([
          { type: "sum", key: "n", value: 1 },
          { type: "sum", key: "name", value: 1 },
        ])
        .catch((e) => e);
      expect(refused.code).toBe("BUNTIME_ERR_STORAGE_REQUEST_INVALID");
      expect(refused.message).toContain("name holds string, not a number");
      await store.set("n", 2);
      const stale = await store.batch([
        { type: "check", key: "n", version: set.ok ? set.version : "" },
        { type: "sum", key: "n", value: 1 },
      ]);
      expect(stale).toEqual({ ok: false, key: "n" });
      expect((await store.get("n"))?.value).toBe(2);
      const bad = await store.batch([{ type: "sum", key: "n", value: Number.NaN }]).catch((e) => e);
      expect(bad.message).toContain("finite number");
    });
  });
}
