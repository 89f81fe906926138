/**
 * Benchmark: a SQL point select and an insert through the libSQL protocol from an app's worker
 * (the real @libsql/client, HTTP to the kernel, the database's process) against the same
 * statements on bun:sqlite in process; prints per-operation latency and the ratio.
 *
 *   bun plugins/database/bench/sql.ts [--ops 2000] [--postgres postgres://…]
 *
 * With `--postgres`, the plugin's backend is that server (a schema and a role per database,
 * every write checked against the size quota); the in-process figures stay bun:sqlite's.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createTestKernel } from "@buntime/kernel/testing";
import database from "@buntime/plugin-database";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { bundleApp } from "@buntime/test-kit/apps";
import databasePackage from "../package.json" with { type: "json" };

const { values } = parseArgs({
  options: { ops: { type: "string", default: "2000" }, postgres: { type: "string" } },
});
const ops = Number(values.ops);
const settings = values.postgres ? { backend: "postgres", url: values.postgres } : {};

function summary(times: number[]): { mean: number; p50: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: at(0.5), p99: at(0.99) };
}

/** The same statements on bun:sqlite in this process, with WAL as the plugin uses. */
function inProcess(dir: string): { insert: number[]; select: number[] } {
  const db = new Database(join(dir, "local.sqlite"), { create: true });
  db.run("PRAGMA journal_mode = WAL");
  db.run("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  const timed = (run: (i: number) => unknown) =>
    Array.from({ length: ops }, (_, i) => {
      const started = performance.now();
      run(i);
      return performance.now() - started;
    });
  const insert = timed((i) => db.query("INSERT INTO items (name) VALUES (?)").run(`item ${i}`));
  const select = timed((i) => db.query("SELECT name FROM items WHERE id = ?").get((i % ops) + 1));
  db.close();
  return { insert, select };
}

const home = mkdtempSync(join(tmpdir(), "buntime-sql-bench-"));
try {
  await bundleApp(join(import.meta.dir, "bench-app.ts"), join(home, "apps", "bench"));
  const kernel = await createTestKernel({
    config: { home, plugins: { "@buntime/plugin-database": settings } },
    plugins: [
      { packageJson: routerPackage, plugin: router },
      { packageJson: databasePackage, plugin: database },
    ],
    listen: true,
  });
  const backend = values.postgres ? "postgres" : "sqlite";
  const remote = (await (await fetch(new URL(`/bench/?n=${ops}&backend=${backend}`, kernel.url))).json()) as {
    insert: number[];
    select: number[];
  };
  await kernel.stop();
  const local = inProcess(home);
  console.log(`${ops} operations each, backend ${backend}; latency in ms (mean / p50 / p99)`);
  for (const op of ["select", "insert"] as const) {
    const r = summary(remote[op]);
    const l = summary(local[op]);
    const fmt = (s: { mean: number; p50: number; p99: number }) =>
      `${s.mean.toFixed(3)} / ${s.p50.toFixed(3)} / ${s.p99.toFixed(3)}`;
    console.log(
      `${op.padEnd(7)} worker over HTTP ${fmt(r).padEnd(26)} in process ${fmt(l).padEnd(26)} ratio ${(r.mean / l.mean).toFixed(1)}x`,
    );
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
