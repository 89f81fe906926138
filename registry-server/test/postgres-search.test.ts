import { describe, expect, it } from "bun:test";
import { openPostgresStorage } from "@buntime/registry-server";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { SQL } from "bun";
import { ranked, searchContract, seedSearchFixtures } from "./helpers/search-contract.ts";

// A real server of its own (a fresh database for the contract), never skipped.
const postgres = await startTestPostgres();

async function freshDatabase(name: string): Promise<string> {
  const admin = new SQL({ url: postgres.url, max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  return postgres.url.replace(/\/[^/]*$/, `/${name}`);
}

const contractUrl = await freshDatabase("search_contract");
searchContract("PostgreSQL tsvector", () => openPostgresStorage(contractUrl, { max: 2 }));

describe("upgrading a PostgreSQL store made before full-text search", () => {
  it("indexes the packages already stored when opened, and keeps them in sync after", async () => {
    const url = await freshDatabase("search_upgrade");
    const made = await openPostgresStorage(url, { max: 2 });
    await seedSearchFixtures(made);
    await made.metadata.close();
    // back to the layout the registry wrote before search: no index table, no index setting
    const sql = new SQL({ url, max: 1 });
    await sql.unsafe("DROP TABLE registry_search; DELETE FROM registry_settings WHERE key = 'search_index'");
    await sql.close();

    const upgraded = await openPostgresStorage(url, { max: 2 });
    expect(await ranked(upgraded, "auth")).toEqual(["auth", "gatekeeper", "session-store", "logger"]);
    await upgraded.metadata.unpublishVersion("auth", "1.0.0");
    expect(await ranked(upgraded, "auth")).toEqual(["gatekeeper", "session-store", "logger"]);
    await upgraded.metadata.close();
  });
});
