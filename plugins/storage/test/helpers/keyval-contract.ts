import { afterAll, describe, expect, it } from "bun:test";
import { createKeyValueStore, type KvBackend } from "@buntime/plugin-storage";
import type { BatchOperation } from "@buntime/sdk";
import { atomicContract } from "./atomic-contract.ts";
import { queueContract } from "./queue-contract.ts";

/**
 * The behaviour every keyval backend must show. Each backend's test file calls this once, so
 * SQLite and PostgreSQL pass the very same cases.
 */
export function keyvalContract(name: string, openBackend: () => Promise<KvBackend>) {
  let shared: Promise<KvBackend> | undefined;
  afterAll(async () => {
    if (shared) await (await shared).close();
  });
  /** A store on the suite's one backend, in a namespace of its own, with a clock moved by hand. */
  const open = async () => {
    shared ??= openBackend();
    const backend = await shared;
    const clock = { now: 1_000_000 };
    const store = createKeyValueStore(backend, { now: () => clock.now, maxValueBytes: 1024 }).namespace(
      `t${crypto.randomUUID()}`,
    );
    return { store, clock, backend };
  };

  describe(`keyval contract on ${name}`, () => {
    it("gets back the JSON value it set, with a version, and null for a missing key", async () => {
      const { store } = await open();
      const value = { name: "Ada", tags: ["x", "y"], nested: { n: 1.5, ok: true, none: null } };
      const result = await store.set("user/ada", value);
      expect(result.ok).toBe(true);
      const entry = await store.get("user/ada");
      expect(entry).toEqual({
        key: "user/ada",
        value,
        version: result.ok ? result.version : "",
        expiresAt: null,
      });
      expect(await store.get("user/bob")).toBeNull();
    });

    it("gives every write a strictly greater version", async () => {
      const { store } = await open();
      const versions: string[] = [];
      for (let i = 0; i < 5; i++) {
        const result = await store.set("counter", i);
        if (result.ok) versions.push(result.version);
      }
      expect(versions).toHaveLength(5);
      expect([...versions].sort()).toEqual(versions);
      expect(new Set(versions).size).toBe(5);
    });

    it("expires an entry after its TTL, in get and in list", async () => {
      const { store, clock } = await open();
      await store.set("session", "s1", { ttl: 5000 });
      await store.set("forever", "f");
      expect((await store.get("session"))?.expiresAt).toBe(clock.now + 5000);
      clock.now += 4999;
      expect((await store.get("session"))?.value).toBe("s1");
      clock.now += 1;
      expect(await store.get("session")).toBeNull();
      expect((await store.list()).entries.map((e) => e.key)).toEqual(["forever"]);
    });

    it("removes expired entries when swept", async () => {
      const { store, clock, backend } = await open();
      await store.set("a", 1, { ttl: 10 });
      clock.now += 10;
      expect(await backend.sweep(clock.now)).toBeGreaterThanOrEqual(1);
      expect(await store.get("a")).toBeNull();
    });

    it("deletes a key, and deleting an absent key succeeds", async () => {
      const { store } = await open();
      await store.set("k", 1);
      expect((await store.delete("k")).ok).toBe(true);
      expect(await store.get("k")).toBeNull();
      expect((await store.delete("k")).ok).toBe(true);
    });

    it("lists by prefix in key order, a page at a time through the cursor", async () => {
      const { store } = await open();
      const keys = ["a/1", "a/2", "a/3", "a/4", "a/5", "ab", "b/1", "a"];
      for (const key of keys) await store.set(key, key);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await store.list({ prefix: "a/", limit: 2, cursor });
        expect(result.entries.length).toBeLessThanOrEqual(2);
        seen.push(...result.entries.map((e) => e.key));
        if (result.cursor === null) break;
        cursor = result.cursor;
      }
      expect(seen).toEqual(["a/1", "a/2", "a/3", "a/4", "a/5"]);
      expect((await store.list()).entries.map((e) => e.key)).toEqual([...keys].sort());
      expect((await store.list({ prefix: "zz" })).entries).toEqual([]);
    });

    it("orders and bounds keys by code point, beyond ASCII", async () => {
      const { store } = await open();
      const keys = ["é", "e", "z", "日本", "日", "😀", "\uffff", "ÿ"];
      for (const key of keys) await store.set(key, 1);
      const listed = (await store.list()).entries.map((e) => e.key);
      const byCodePoint = [...keys].sort((a, b) => {
        const [x, y] = [Array.from(a), Array.from(b)];
        for (let i = 0; i < Math.min(x.length, y.length); i++) {
          const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
          if (d !== 0) return d;
        }
        return x.length - y.length;
      });
      expect(listed).toEqual(byCodePoint);
      expect((await store.list({ prefix: "日" })).entries.map((e) => e.key)).toEqual(["日", "日本"]);
      expect((await store.list({ prefix: "\uffff" })).entries.map((e) => e.key)).toEqual(["\uffff"]);
    });

    it("sets on a version check only when the version still matches", async () => {
      const { store } = await open();
      const created = await store.set("doc", { v: 1 }, { version: null });
      expect(created.ok).toBe(true);
      expect(await store.set("doc", { v: 9 }, { version: null })).toEqual({ ok: false, key: "doc" });
      const entry = await store.get("doc");
      const updated = await store.set("doc", { v: 2 }, { version: entry?.version });
      expect(updated.ok).toBe(true);
      expect(await store.set("doc", { v: 3 }, { version: entry?.version })).toEqual({
        ok: false,
        key: "doc",
      });
      expect((await store.get("doc"))?.value).toEqual({ v: 2 });
      expect(await store.delete("doc", { version: entry?.version })).toEqual({ ok: false, key: "doc" });
      expect((await store.delete("doc", { version: (await store.get("doc"))?.version })).ok).toBe(true);
    });

    it("treats an expired key as absent for a create-only set", async () => {
      const { store, clock } = await open();
      await store.set("lock", "old", { ttl: 100 });
      expect((await store.set("lock", "new", { version: null })).ok).toBe(false);
      clock.now += 100;
      expect((await store.set("lock", "new", { version: null })).ok).toBe(true);
      expect((await store.get("lock"))?.value).toBe("new");
    });

    it("lets exactly one of many concurrent create-only sets win", async () => {
      const { store } = await open();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.set("winner", i, { version: null })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });

    it("counts exactly under concurrent read-modify-write with retries", async () => {
      const { store } = await open();
      await store.set("n", 0);
      const increment = async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const entry = await store.get<number>("n");
          if ((await store.set("n", (entry?.value ?? 0) + 1, { version: entry?.version ?? null })).ok) return;
        }
        throw new Error("gave up after 50 attempts");
      };
      await Promise.all(Array.from({ length: 8 }, increment));
      expect((await store.get("n"))?.value).toBe(8);
    });

    it("applies a batch atomically: all writes under one version, or none when a check fails", async () => {
      const { store } = await open();
      const first = await store.set("from", 10);
      const ops: BatchOperation[] = [
        { type: "check", key: "from", version: first.ok ? first.version : null },
        { type: "set", key: "from", value: 5 },
        { type: "set", key: "to", value: 5, ttl: 1000 },
        { type: "delete", key: "gone" },
      ];
      const done = await store.batch(ops);
      expect(done.ok).toBe(true);
      const [from, to] = await store.getMany(["from", "to"]);
      expect(from?.value).toBe(5);
      expect(to?.version).toBe(from?.version as string);
      // Replaying the batch fails on the stale check and leaves both keys as they were.
      expect(await store.batch([...ops.slice(0, 1), { type: "set", key: "to", value: 0 }])).toEqual({
        ok: false,
        key: "from",
      });
      expect((await store.get("to"))?.value).toBe(5);
    });

    it("keeps namespaces apart", async () => {
      const { store } = await open();
      await store.namespace("one").set("k", 1);
      await store.namespace("two").set("k", 2);
      expect((await store.namespace("one").get("k"))?.value).toBe(1);
      expect((await store.namespace("two").get("k"))?.value).toBe(2);
      expect(await store.get("k")).toBeNull();
      expect((await store.namespace("one").list()).entries).toHaveLength(1);
      expect(store.namespace("one").namespace("x").namespaceName).toBe(`${store.namespaceName}/one/x`);
    });

    it.each([
      ["an empty key", () => ({ key: "", value: 1 }), "BUNTIME_ERR_STORAGE_KEY_INVALID", "empty"],
      [
        "a key over 1024 bytes",
        () => ({ key: "é".repeat(513), value: 1 }),
        "BUNTIME_ERR_STORAGE_KEY_INVALID",
        "1026 bytes",
      ],
      [
        "a lone surrogate",
        () => ({ key: "a\ud800", value: 1 }),
        "BUNTIME_ERR_STORAGE_KEY_INVALID",
        "surrogate",
      ],
      [
        "a value over the limit",
        () => ({ key: "big", value: "x".repeat(2000) }),
        "BUNTIME_ERR_STORAGE_VALUE_TOO_LARGE",
        "2002 bytes",
      ],
      [
        "undefined",
        () => ({ key: "u", value: undefined }),
        "BUNTIME_ERR_STORAGE_REQUEST_INVALID",
        "not JSON",
      ],
      [
        "a negative ttl",
        () => ({ key: "t", value: 1, ttl: -1 }),
        "BUNTIME_ERR_STORAGE_REQUEST_INVALID",
        "ttl",
      ],
    ])("refuses %s with a coded error", async (_, make, code, text) => {
      const { store } = await open();
      const { key, value, ttl } = make() as { key: string; value: unknown; ttl?: number };
      const error = await store.set(key, value, { ttl }).catch((e) => e);
      expect(error.code).toBe(code);
      expect(error.message).toContain(text);
    });

    it("refuses a bad cursor, limit or empty batch", async () => {
      const { store } = await open();
      for (const call of [
        () => store.list({ cursor: "not a cursor!" }),
        () => store.list({ limit: 0 }),
        () => store.batch([]),
        () => store.batch([{ type: "check", key: "k" } as unknown as BatchOperation]),
      ]) {
        expect((await call().catch((e) => e)).code).toBe("BUNTIME_ERR_STORAGE_REQUEST_INVALID");
      }
    });
  });

  describe(`keyval usage on ${name}`, () => {
    it("counts the live keys and bytes of a namespace and those under it, and no other", async () => {
      const { store, clock, backend } = await open();
      const app = store.namespace("app").namespace("a");
      await app.set("k", "vv"); // 1 + 4 bytes
      await app.namespace("queue").set("m", 1); // 1 + 1 bytes
      await app.set("gone", 1, { ttl: 10 });
      await store.namespace("app").namespace("a0").set("x", 1); // "a0" sorts after "a/": not under "a"
      await store.namespace("app").namespace("ab").set("x", 1);
      clock.now += 10;
      expect(await backend.usage(`${store.namespaceName}/app/a`, clock.now)).toEqual({ keys: 2, bytes: 7 });
      expect(await backend.usage(`${store.namespaceName}/app/none`, clock.now)).toEqual({
        keys: 0,
        bytes: 0,
      });
    });
  });
  atomicContract(name, async () => (await open()).store);
  queueContract(name, openBackend);
}
