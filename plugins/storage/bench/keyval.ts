/**
 * Benchmark: keyval operations per second on the SQLite backend (a temporary file, WAL), through
 * the public store: set, get, check-and-set, a 10-write batch and a 100-entry list page.
 *
 *   bun plugins/storage/bench/keyval.ts [--ops 20000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKeyValueStore, openSqliteBackend } from "@buntime/plugin-storage";

const { values } = parseArgs({ options: { ops: { type: "string", default: "20000" } } });
const ops = Number(values.ops);

const dir = mkdtempSync(join(tmpdir(), "buntime-keyval-bench-"));
const backend = openSqliteBackend(join(dir, "bench.sqlite"));
const store = createKeyValueStore(backend).namespace("bench");

async function measure(name: string, run: (i: number) => Promise<unknown>) {
  const started = Bun.nanoseconds();
  for (let i = 0; i < ops; i++) await run(i);
  const seconds = (Bun.nanoseconds() - started) / 1e9;
  console.log(
    `${name.padEnd(24)} ${Math.round(ops / seconds)
      .toLocaleString("en")
      .padStart(9)} ops/s`,
  );
}

try {
  const value = { name: "Ada Lovelace", roles: ["admin"], note: "x".repeat(200) };
  await measure("set", (i) => store.set(`user/${i}`, value));
  await measure("get", (i) => store.get(`user/${i}`));
  await measure("check-and-set", async (i) => {
    const entry = await store.get(`user/${i}`);
    return store.set(`user/${i}`, value, { version: entry?.version ?? null });
  });
  await measure("batch of 10 writes", (i) =>
    store.batch(Array.from({ length: 10 }, (_, j) => ({ type: "set", key: `batch/${i % 100}/${j}`, value }))),
  );
  await measure("list page of 100", () => store.list({ prefix: "user/", limit: 100 }));
} finally {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}
