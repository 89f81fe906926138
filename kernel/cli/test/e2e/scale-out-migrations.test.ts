/**
 * Three kernel nodes started at once on an empty PostgreSQL, each with the same app and its
 * migrations: whichever node comes first runs each migration, exactly once, under the database
 * plugin's advisory lock; the others wait and find it done. Storage's shared table is created
 * once too, under its own lock.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { SQL } from "bun";
import { type Node, node, pluginFolder, writeProbe } from "./scale-out-nodes.ts";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The app every node has: it tells its database URL and token. */
function writeNotesApp(home: string): void {
  const app = join(home, "apps", "notes");
  mkdirSync(join(app, "migrations"), { recursive: true });
  writeFileSync(
    join(app, "index.ts"),
    "export default { fetch: () => Response.json({ url: process.env.BUNTIME_DATABASE_URL, token: process.env.BUNTIME_DATABASE_TOKEN }) };\n",
  );
  writeFileSync(
    join(app, "migrations", "0001_notes.sql"),
    "CREATE TABLE notes (id bigserial PRIMARY KEY, body text);",
  );
  // not idempotent: run twice, it would leave two rows
  writeFileSync(join(app, "migrations", "0002_seed.sql"), "INSERT INTO notes (body) VALUES ('seed');");
}

/** Runs `sql` on app notes' database through `target`, as the app's libSQL client would. */
async function query(target: Node, sql: string): Promise<unknown[][]> {
  const env = (await (await fetch(`${target.url}/notes/`)).json()) as { url: string; token: string };
  const response = await fetch(new URL("v2/pipeline", env.url), {
    method: "POST",
    headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
    body: JSON.stringify({ requests: [{ type: "execute", stmt: { sql } }, { type: "close" }] }),
  });
  const body = (await response.json()) as {
    results: { type: string; response?: { result: { rows: { value: unknown }[][] } }; error?: unknown }[];
  };
  const first = body.results[0];
  if (first?.type !== "ok") throw new Error(`${target.name}: ${JSON.stringify(first ?? body)}`);
  return first.response?.result.rows.map((row) => row.map((cell) => cell.value)) ?? [];
}

describe("three cold starts at once", () => {
  it("run each migration once, whichever node asks first", async () => {
    const postgres = await startTestPostgres();
    const sql = new SQL(postgres.url);
    cleanups.push(() => sql.close());
    await sql`CREATE TABLE probe_runs (scope text, tick bigint, node text, ran_by text)`;
    const dir = mkdtempSync(join(tmpdir(), "buntime-migrations-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const shared = {
      postgres: postgres.url,
      redis: "redis://127.0.0.1:1", // unused: no rate limit rules, and no cluster hints
      cluster: false,
      plugins: ["storage", "router", "database"].map(pluginFolder).concat(writeProbe(dir)),
      settings: { "@buntime/plugin-database": { backend: "postgres", url: postgres.url } },
    };
    const nodes = ["a", "b", "c"].map((name) => node(name, shared, cleanups));
    for (const each of nodes) writeNotesApp(each.home);
    await Promise.all(nodes.map((each) => each.start()));
    // every node opens the database at once: each would migrate it if none held the lock
    const counts = await Promise.all(nodes.map((each) => query(each, "SELECT count(*) FROM notes")));
    expect(counts.map((rows) => Number(rows[0]?.[0]))).toEqual([1, 1, 1]);
    const applied = await query(nodes[0] as Node, "SELECT name FROM _buntime_migrations ORDER BY name");
    expect(applied.map((row) => row[0])).toEqual(["0001_notes.sql", "0002_seed.sql"]);
    const tables = await sql`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'buntime_kv'`;
    expect(tables[0].n).toBe(1); // storage's table, created under its own lock by whichever node came first
  }, 60_000);
});
