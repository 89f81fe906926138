import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel } from "@buntime/kernel/testing";
import { ADMIN_TOKEN, clientOf, startKernel, tempHome, writeApp } from "./support.ts";

const AS_ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const JSON_ADMIN = { ...AS_ADMIN, "content-type": "application/json" };

interface Answer {
  columns: { name: string; type: string | null }[];
  rows: { type: string; value?: string }[][];
  rowCount: number;
  truncated: boolean;
  affected: number;
  ms: number;
  error?: { code: string; message: string; reason: string; position: number | null };
}

describe("the SQL console's API (SQLite)", () => {
  let kernel: TestKernel;
  let home: string;
  const at = (path: string) => new URL(path, kernel.url);
  const query = async (sql: string, database = "notes", headers: Record<string, string> = JSON_ADMIN) => {
    const response = await fetch(at("/database/api/console/query"), {
      method: "POST",
      headers,
      body: JSON.stringify({ database, sql }),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };

  beforeAll(async () => {
    home = tempHome();
    writeApp(home, "notes", {
      "migrations/0001.sql": "CREATE TABLE seen (id INTEGER PRIMARY KEY, at TEXT NOT NULL);",
    });
    writeApp(home, "other");
    kernel = await startKernel(home, {
      dir: join(home, "databases"),
      consoleMaxRows: 3,
      statementTimeout: 1500,
    });
    await (await clientOf(kernel, "notes")).execute("INSERT INTO seen (at) VALUES ('then')");
  });
  afterAll(async () => {
    await kernel?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("refuses a caller without the admin token, and names the way in", async () => {
    const response = await fetch(at("/database/api/console/databases"));
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string; message: string }; signIn: null };
    expect(body.error.code).toBe("BUNTIME_ERR_DATABASE_ADMIN_REQUIRED");
    expect(body.error.message).toContain("the kernel's admin token");
    expect(body.signIn).toBeNull();
    expect((await query("SELECT 1", "notes", { "content-type": "application/json" })).status).toBe(401);
    // an app's own token opens its database over the protocol, not the console
    const { token } = (await (await fetch(at("/notes/"))).json()) as { token: string };
    const asApp = await query("SELECT 1", "other", {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    });
    expect(asApp.status).toBe(401);
  });

  it("lists the databases and a database's tables and columns", async () => {
    const list = (await (
      await fetch(at("/database/api/console/databases"), { headers: AS_ADMIN })
    ).json()) as {
      databases: string[];
      maxRows: number;
      backend: string;
    };
    expect(list).toMatchObject({ databases: ["notes"], maxRows: 3, backend: "sqlite" });
    const tables = (await (
      await fetch(at("/database/api/console/tables?database=notes"), { headers: AS_ADMIN })
    ).json()) as { tables: { name: string; columns: unknown[] }[] };
    const seen = tables.tables.find((table) => table.name === "seen");
    expect(seen?.columns).toEqual([
      { name: "id", type: "INTEGER", notNull: false, primaryKey: true },
      { name: "at", type: "TEXT", notNull: true, primaryKey: false },
    ]);
    expect(tables.tables.map((table) => table.name)).toContain("_buntime_migrations");
  });

  it("creates, inserts and selects, with the row count, what changed and the time", async () => {
    expect((await query("CREATE TABLE pets (name TEXT, legs INTEGER, photo BLOB)")).status).toBe(200);
    const inserted = await query(
      "INSERT INTO pets VALUES ('cat', 4, x'00ff'), ('bird', 2, NULL), ('<b>x</b>', 0, NULL)",
    );
    expect(inserted.body).toMatchObject({ affected: 3, rowCount: 0 });
    const selected = await query("SELECT name, legs, photo FROM pets ORDER BY legs DESC");
    expect(selected.status).toBe(200);
    expect(selected.body.columns.map((column) => column.name)).toEqual(["name", "legs", "photo"]);
    expect(selected.body.rows[0]).toEqual([
      { type: "text", value: "cat" },
      { type: "integer", value: "4" },
      { type: "blob", base64: "AP8=" } as never,
    ]);
    expect(selected.body.ms).toBeGreaterThanOrEqual(0);
  });

  it("keeps at most consoleMaxRows rows and says more were left", async () => {
    await query("CREATE TABLE many (n INTEGER)");
    await query(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50) INSERT INTO many SELECT x FROM c",
    );
    const capped = await query("SELECT n FROM many ORDER BY n");
    expect(capped.body).toMatchObject({ rowCount: 3, truncated: true });
    expect(capped.body.rows.map((row) => row[0]?.value)).toEqual(["1", "2", "3"]);
    // columns of one name are kept apart, and capped the same
    const same = await query("SELECT n AS a, n * 2 AS a FROM many ORDER BY n");
    expect(same.body).toMatchObject({ rowCount: 3, truncated: true });
    expect(same.body.rows[2]?.map((value) => value.value)).toEqual(["3", "6"]);
  });

  it("answers a bad statement with the database's message, and changes nothing", async () => {
    const bad = await query("SELEC * FROM pets");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: "BUNTIME_ERR_DATABASE_STATEMENT_FAILED",
      reason: "SQLITE_ERROR",
    });
    expect(bad.body.error?.message).toContain('near "SELEC": syntax error');
    expect(bad.body.error?.position).toBe(1);
    const column = await query("SELECT 'é', nme FROM pets");
    expect(column.body.error).toMatchObject({
      message: expect.stringContaining("no such column: nme"),
      position: 13,
    });
    const missing = await query("INSERT INTO nowhere VALUES (1)");
    expect(missing.body.error?.message).toContain("no such table: nowhere");
    const twice = await query("INSERT INTO pets (name) VALUES ('x'); DROP TABLE pets");
    expect(twice.body.error?.message).toContain("one statement at a time");
    expect((await query("SELECT count(*) FROM pets")).body.rows[0]?.[0]?.value).toBe("3");
  });

  it("holds the console to what an app may do: the guard and the time limit", async () => {
    const attach = await query("ATTACH DATABASE '/tmp/x.sqlite' AS x");
    expect(attach.status).toBe(400);
    expect(attach.body.error?.code).toBe("BUNTIME_ERR_DATABASE_REQUEST_INVALID");
    const slow = await query(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    );
    expect(slow.status).toBe(504);
    expect((slow.body as unknown as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_DATABASE_TIMEOUT",
    );
    expect((await query("SELECT count(*) FROM pets")).body.rows[0]?.[0]?.value).toBe("3");
  });

  it("refuses bad requests: an unknown database, a form post, a cross-site write, a bad name", async () => {
    const unknown = await query("SELECT 1", "nobody");
    expect(unknown.status).toBe(404);
    expect((unknown.body as unknown as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_DATABASE_UNKNOWN",
    );
    const form = await fetch(at("/database/api/console/query"), {
      method: "POST",
      headers: { ...AS_ADMIN, "content-type": "application/x-www-form-urlencoded" },
      body: "database=notes&sql=DROP+TABLE+pets",
    });
    expect(form.status).toBe(400);
    const crossSite = await fetch(at("/database/api/console/query"), {
      method: "POST",
      headers: { ...JSON_ADMIN, origin: "https://evil.test" },
      body: JSON.stringify({ database: "notes", sql: "DROP TABLE pets" }),
    });
    expect(crossSite.status).toBe(403);
    const huge = await fetch(at("/database/api/console/query"), {
      method: "POST",
      headers: JSON_ADMIN,
      body: JSON.stringify({ database: "notes", sql: `SELECT '${"x".repeat(2_000_000)}'` }),
    });
    expect(huge.status).toBe(413);
    const long = await query(`SELECT '${"x".repeat(100_001)}'`);
    expect(long.status).toBe(400);
    expect((await query("SELECT 1", "../etc/passwd")).status).toBe(400);
    expect((await query("SELECT 1", "notes/../../x")).status).toBe(400);
    expect((await query("SELECT count(*) FROM pets")).body.rows[0]?.[0]?.value).toBe("3");
  });

  it("opens an installed app's database on first use, and a tenant's", async () => {
    const other = await query("SELECT 42 AS answer", "other");
    expect(other.body.rows).toEqual([[{ type: "integer", value: "42" }]]);
    expect((await query("CREATE TABLE t (x)", "notes/acme")).status).toBe(200);
    const list = (await (
      await fetch(at("/database/api/console/databases"), { headers: AS_ADMIN })
    ).json()) as {
      databases: string[];
    };
    expect(list.databases).toEqual(["notes", "notes/acme", "other"]);
  });
});
