import { expect, it } from "bun:test";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { ClusterStore } from "../../src/cluster/store.ts";

const postgres = await startTestPostgres();
const entry = (version: string) => ({ version, integrity: `sha512-${version}` });

it("keeps both changes when two nodes publish at once, each bumping the generation once", async () => {
  const a = new ClusterStore(postgres.url);
  const b = new ClusterStore(postgres.url);
  await Promise.all([a.migrate(), b.migrate()]); // simultaneous cold starts: the tables are made once
  expect(await a.current()).toEqual({ generation: 0, lock: { lockfileVersion: 1, plugins: {} }, bases: {} });
  const published = await Promise.all([
    a.publish({ set: { "@x/one": entry("1.0.0") }, removed: [], bases: { "@x/one": "/one" } }, "a"),
    b.publish({ set: { "@x/two": entry("2.0.0") }, removed: [] }, "b"),
  ]);
  expect(published.map((state) => state?.generation).sort()).toEqual([1, 2]);
  expect(await b.current()).toEqual({
    generation: 2,
    lock: { lockfileVersion: 1, plugins: { "@x/one": entry("1.0.0"), "@x/two": entry("2.0.0") } },
    bases: { "@x/one": "/one" },
  });
  // a change that changes nothing makes no generation
  expect(await a.publish({ set: { "@x/one": entry("1.0.0") }, removed: [] }, "a")).toBeUndefined();
  expect(await a.publish({ set: {}, removed: ["@x/absent"] }, "a")).toBeUndefined();
  const removed = await a.publish({ set: {}, removed: ["@x/one"] }, "a");
  expect(removed).toEqual({
    generation: 3,
    lock: { lockfileVersion: 1, plugins: { "@x/two": entry("2.0.0") } },
    bases: {},
  });
  await a.close();
  await b.close();
}, 30_000);

it("refuses a generation whose lock is not a lockfile, naming the generation", async () => {
  const store = new ClusterStore(postgres.url);
  const sql = new Bun.SQL(postgres.url);
  await sql`INSERT INTO buntime_cluster_generations (generation, lock, change, node)
            VALUES (99, ${JSON.stringify({ plugins: { "../x": 1 } })}::jsonb, '{}'::jsonb, 'evil')`;
  await expect(store.current()).rejects.toThrow("the cluster's desired state (generation 99) is invalid");
  await sql.close();
  await store.close();
}, 30_000);

it("records what each node applied", async () => {
  const store = new ClusterStore(postgres.url);
  const at = new Date("2026-12-06T07:00:00Z");
  await store.recordNode({
    node: "b",
    version: "0.1.0",
    appliedGeneration: 2,
    lastReconcile: at,
    degraded: [],
  });
  await store.recordNode({
    node: "b",
    version: "0.1.0",
    appliedGeneration: 3,
    lastReconcile: at,
    address: "http://10.0.3.7:8000",
    degraded: [{ plugin: "@x/two", reason: "no GPU" }],
  });
  expect(await store.nodes()).toEqual([
    {
      node: "b",
      address: "http://10.0.3.7:8000",
      version: "0.1.0",
      appliedGeneration: 3,
      lastReconcile: at,
      degraded: [{ plugin: "@x/two", reason: "no GPU" }],
    },
  ]);
  await store.close();
}, 30_000);
