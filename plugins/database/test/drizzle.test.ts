import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import type { TestKernel } from "@buntime/kernel/testing";
import { eq, sql } from "drizzle-orm";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { drizzle } from "drizzle-orm/libsql/web";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { clientOf, startKernel, tempHome, writeApp } from "./support.ts";

const users = sqliteTable("users", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  role: text("role").notNull().default("guest"),
});

// an ORM on top of @libsql/client, unchanged: Drizzle's libsql driver against an app's database
describe("Drizzle's libsql driver", () => {
  let kernel: TestKernel;
  let db: LibSQLDatabase;
  const home = tempHome();

  beforeAll(async () => {
    writeApp(home, "crm", {
      "migrations/0001.sql":
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'guest');",
    });
    kernel = await startKernel(home);
    db = drizzle({ client: await clientOf(kernel, "crm") });
  });
  afterAll(async () => {
    await kernel.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("inserts, selects, updates with typed queries", async () => {
    await db.insert(users).values([{ name: "Ada", role: "admin" }, { name: "Bob" }]);
    await db.update(users).set({ role: "owner" }).where(eq(users.name, "Ada"));
    expect(await db.select().from(users).orderBy(users.id)).toEqual([
      { id: 1, name: "Ada", role: "owner" },
      { id: 2, name: "Bob", role: "guest" },
    ]);
  });

  it("rolls back a transaction that throws, and commits one that returns", async () => {
    await db
      .transaction(async (tx) => {
        await tx.insert(users).values({ name: "Eve" });
        throw new Error("changed my mind");
      })
      .catch(() => {});
    await db.transaction(async (tx) => {
      await tx.insert(users).values({ name: "Carol" });
    });
    const names = (await db.select({ name: users.name }).from(users).orderBy(users.id)).map((u) => u.name);
    expect(names).toEqual(["Ada", "Bob", "Carol"]);
    expect((await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM users`))?.n).toBe(3);
  });
});
