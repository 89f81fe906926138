import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKeyValueStore, openSqliteBackend } from "@buntime/plugin-storage";
import { keyvalContract } from "./helpers/keyval-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "buntime-keyval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

keyvalContract("SQLite", async () => openSqliteBackend(join(dir, "contract.sqlite")));

describe("SQLite backend", () => {
  it("keeps entries across a reopen and runs in WAL mode", async () => {
    const path = join(dir, "reopen.sqlite");
    const first = openSqliteBackend(path);
    await createKeyValueStore(first).set("kept", "yes");
    await first.close();
    const second = openSqliteBackend(path);
    expect((await createKeyValueStore(second).get("kept"))?.value).toBe("yes");
    await second.close();
    const { Database } = await import("bun:sqlite");
    const db = new Database(path);
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
  });

  it("reports a failing backend as a coded error naming it", async () => {
    const backend = openSqliteBackend(join(dir, "closed.sqlite"));
    await backend.close();
    const error = await createKeyValueStore(backend)
      .get("k")
      .catch((e) => e);
    expect(error.code).toBe("BUNTIME_ERR_STORAGE_BACKEND_FAILED");
    expect(error.message).toStartWith("storage backend sqlite failed:");
  });
});
