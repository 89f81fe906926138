import { Database } from "bun:sqlite";
import { afterEach, describe, expect, it } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel } from "@buntime/kernel/testing";
import { databaseFile } from "@buntime/plugin-database";
import { ADMIN_TOKEN, clientOf, failureOf, startKernel, tempHome, writeApp } from "./support.ts";

const MIGRATIONS = {
  "migrations/0001_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
  "migrations/0002_seed.sql":
    "INSERT INTO notes (body) VALUES ('first');\nINSERT INTO notes (body) VALUES ('second');",
  "migrations/README.txt": "not a migration",
};

const kernels: TestKernel[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

async function kernelOn(home: string, dir: string): Promise<TestKernel> {
  const kernel = await startKernel(home, { dir });
  kernels.push(kernel);
  return kernel;
}

function home(): string {
  const dir = tempHome();
  homes.push(dir);
  return dir;
}

describe("migrations", () => {
  it("applies the app's migrations/*.sql in name order before its first statement, once", async () => {
    const root = home();
    const dir = join(root, "databases");
    writeApp(root, "notes", MIGRATIONS);
    const first = await kernelOn(root, dir);
    const notes = await clientOf(first, "notes");
    expect((await notes.execute("SELECT body FROM notes ORDER BY id")).rows.map((r) => r.body)).toEqual([
      "first",
      "second",
    ]);
    await first.stop();
    kernels.splice(0);
    const again = await clientOf(await kernelOn(root, dir), "notes");
    expect(Number((await again.execute("SELECT count(*) AS n FROM notes")).rows[0]?.n)).toBe(2);
    const applied = await again.execute("SELECT name FROM _buntime_migrations ORDER BY name");
    expect(applied.rows.map((r) => r.name)).toEqual(["0001_notes.sql", "0002_seed.sql"]);
  });

  it("applies them once when two kernels open the same database at the same time", async () => {
    const root = home();
    const dir = join(root, "databases");
    writeApp(root, "notes", MIGRATIONS);
    const [a, b] = await Promise.all([kernelOn(root, dir), kernelOn(root, dir)]);
    if (!a || !b) throw new Error("two kernels");
    const [ca, cb] = await Promise.all([clientOf(a, "notes"), clientOf(b, "notes")]);
    const counts = await Promise.all([ca, cb].map((c) => c.execute("SELECT count(*) AS n FROM notes")));
    expect(counts.map((r) => Number(r.rows[0]?.n))).toEqual([2, 2]);
  });

  it("refuses every statement while a migration fails, naming it, and applies none of the pending ones", async () => {
    const root = home();
    const dir = join(root, "databases");
    writeApp(root, "broken", {
      "migrations/0001_ok.sql": "CREATE TABLE kept (x);",
      "migrations/0002_bad.sql": "CREATE TABLE oops (;",
    });
    const broken = await clientOf(await kernelOn(root, dir), "broken");
    const failure = await failureOf(broken.execute("SELECT 1"));
    expect(failure.message).toContain("database broken: migration 0002_bad.sql failed");
    const file = new Database(databaseFile(dir, "broken"), { readonly: true });
    expect(file.query("SELECT name FROM sqlite_schema WHERE name = 'kept'").all()).toEqual([]);
    file.close();
  });
});

describe("migrations under the guard", () => {
  it("refuses a migration that would reach another file, naming it", async () => {
    const root = home();
    writeApp(root, "sneaky", { "migrations/0001_attach.sql": "ATTACH DATABASE '../other.sqlite' AS other;" });
    const sneaky = await clientOf(await kernelOn(root, join(root, "databases")), "sneaky");
    const failure = await failureOf(sneaky.execute("SELECT 1"));
    expect(failure.message).toContain(
      "migration 0001_attach.sql failed: invalid database request: refused: ATTACH",
    );
  });
});

describe("backups", () => {
  it("copies an app's database with VACUUM INTO for the kernel's admin only", async () => {
    const root = home();
    writeApp(root, "notes", MIGRATIONS);
    const kernel = await kernelOn(root, join(root, "databases"));
    await (await clientOf(kernel, "notes")).execute("INSERT INTO notes (body) VALUES ('third')");
    const url = new URL("/database/api/backups/notes", kernel.url);
    const anonymous = await fetch(url, { method: "POST" });
    expect(anonymous.status).toBe(401);
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(201);
    const backup = (await response.json()) as { database: string; path: string; bytes: number };
    expect(backup.database).toBe("notes");
    expect(existsSync(backup.path)).toBe(true);
    const copy = new Database(backup.path, { readonly: true });
    expect(copy.query("SELECT body FROM notes ORDER BY id").values()).toEqual([
      ["first"],
      ["second"],
      ["third"],
    ]);
    copy.close();
  });
});

describe("restores", () => {
  it("lists an app's backups and puts one back, for the admin only; a bad name changes nothing", async () => {
    const root = home();
    writeApp(root, "notes", MIGRATIONS);
    const kernel = await kernelOn(root, join(root, "databases"));
    const notes = await clientOf(kernel, "notes");
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const made = await fetch(new URL("/database/api/backups/notes", kernel.url), {
      method: "POST",
      headers: admin,
    });
    const { backup } = (await made.json()) as { backup: string };
    await notes.execute("INSERT INTO notes (body) VALUES ('after the backup')");
    await notes.execute("CREATE TABLE extra (x)");

    const listed = await fetch(new URL("/database/api/backups/notes", kernel.url), { headers: admin });
    expect(((await listed.json()) as { backups: { backup: string }[] }).backups.map((b) => b.backup)).toEqual(
      [backup],
    );

    const restore = (body: unknown, headers: Record<string, string> = admin) =>
      fetch(new URL("/database/api/restores/notes", kernel.url), {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
    expect((await restore({ backup }, { "content-type": "application/json" })).status).toBe(401);
    for (const bad of ["../notes.sqlite", "other-2026-01-01T00-00-00.000Z.sqlite", `${backup}x`]) {
      const refused = await restore({ backup: bad });
      expect(refused.status).toBe(404);
    }
    expect(Number((await notes.execute("SELECT count(*) AS n FROM notes")).rows[0]?.n)).toBe(3);

    // a file in the list that is no sound database is refused before anything is touched
    const junk = backup.replace(/\d{3}Z\.sqlite$/, "999Z.sqlite");
    writeFileSync(
      join(root, "data", "@buntime", "plugin-database", "backups", junk),
      "not a database at all",
    );
    const broken = await restore({ backup: junk });
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toContain(
      "nothing was changed",
    );
    expect(Number((await notes.execute("SELECT count(*) AS n FROM notes")).rows[0]?.n)).toBe(3);

    const restored = await restore({ backup });
    expect(restored.status).toBe(200);
    const bodies = await notes.execute("SELECT body FROM notes ORDER BY id");
    expect(bodies.rows.map((r) => r.body)).toEqual(["first", "second"]);
    const extra = await failureOf(notes.execute("SELECT * FROM extra"));
    expect(extra.message).toContain("no such table: extra");
  });
});
