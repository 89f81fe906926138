import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { openSqliteStorage } from "@buntime/registry-server";
import { tempDir } from "./helpers/registry.ts";
import { ranked, searchContract, seedSearchFixtures } from "./helpers/search-contract.ts";

const dir = tempDir();
searchContract("SQLite FTS5", async () => openSqliteStorage(join(dir, "contract")));

describe("upgrading a SQLite store made before full-text search", () => {
  it("indexes the packages already stored when opened, and keeps them in sync after", async () => {
    const folder = join(dir, "old");
    const made = openSqliteStorage(folder);
    await seedSearchFixtures(made);
    await made.metadata.close();
    // back to the layout the registry wrote before search: no index tables, no index setting
    const db = new Database(join(folder, "registry.db"));
    db.run("DROP TABLE search; DROP TABLE search_docs; DELETE FROM settings WHERE key = 'search_index'");
    db.close();

    const upgraded = openSqliteStorage(folder);
    expect(await ranked(upgraded, "auth")).toEqual(["auth", "gatekeeper", "session-store", "logger"]);
    await upgraded.metadata.unpublishVersion("auth", "1.0.0");
    expect(await ranked(upgraded, "auth")).toEqual(["gatekeeper", "session-store", "logger"]);
    await upgraded.metadata.close();
    const reopened = openSqliteStorage(folder);
    expect(await ranked(reopened, "auth")).toEqual(["gatekeeper", "session-store", "logger"]);
    await reopened.metadata.close();
  });
});
