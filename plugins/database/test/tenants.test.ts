import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel } from "@buntime/kernel/testing";
import { databaseFile } from "@buntime/plugin-database";
import { createClient } from "@libsql/client/web";
import { envOf, failureOf, startKernel, tempHome, writeApp } from "./support.ts";

describe("several databases per app: one per tenant", () => {
  let kernel: TestKernel;
  const home = tempHome();
  const dir = join(home, "databases");
  const tenantClient = async (app: string, tenant: string, token?: string) => {
    const env = await envOf(kernel, app);
    return createClient({ url: `${env.url}tenants/${tenant}/`, authToken: token ?? env.token });
  };

  beforeAll(async () => {
    writeApp(home, "shop", {
      "migrations/0001.sql": "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT);",
    });
    writeApp(home, "other");
    kernel = await startKernel(home, { dir });
  });
  afterAll(async () => {
    await kernel.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("gives each tenant a database of its own, migrated like the app's", async () => {
    const acme = await tenantClient("shop", "acme");
    const globex = await tenantClient("shop", "globex");
    await acme.execute({ sql: "INSERT INTO orders (item) VALUES (?)", args: ["anvil"] });
    expect((await acme.execute("SELECT item FROM orders")).rows.map((r) => r.item)).toEqual(["anvil"]);
    expect((await globex.execute("SELECT count(*) AS n FROM orders")).rows[0]?.n).toBe(0);
    expect(existsSync(databaseFile(dir, "shop/acme"))).toBe(true);
    expect(databaseFile(dir, "shop/acme")).toBe(join(dir, "shop.tenants", "acme.sqlite"));
    expect(databaseFile(dir, "a.b")).toBe(join(dir, "a%2Eb.sqlite"));
  });

  it("refuses another app's token on a tenant database, and a bad tenant name", async () => {
    const other = await envOf(kernel, "other");
    const stolen = await tenantClient("shop", "acme", other.token);
    expect((await failureOf(stolen.execute("SELECT * FROM orders"))).message).toContain(
      "app other may not use database shop",
    );
    const bad = await tenantClient("shop", "no.dots");
    expect((await failureOf(bad.execute("SELECT 1"))).message).toContain('tenant "no.dots" must be');
  });

  it("reaches a tenant's database from a plugin through the database service", async () => {
    const [result] = await kernel.service("database").run(
      "shop",
      [
        {
          type: "execute",
          stmt: { sql: "SELECT item FROM orders", args: [], named_args: [], want_rows: true },
        },
      ],
      "acme",
    );
    expect(result).toMatchObject({
      type: "ok",
      response: { type: "execute", result: { rows: [[{ type: "text", value: "anvil" }]] } },
    });
  });
});
