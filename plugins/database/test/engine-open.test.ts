import { describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OPEN = join(import.meta.dir, "fixtures/open-database.ts");

/** Runs the fixture in `count` processes at once on one new file; their outputs. */
async function openTogether(count: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "buntime-db-open-"));
  try {
    const at = String(Date.now() + 300);
    const children = Array.from({ length: count }, () =>
      Bun.spawn([process.execPath, OPEN, join(dir, "db.sqlite"), at], { stdout: "pipe", stderr: "inherit" }),
    );
    return await Promise.all(children.map(async (child) => (await new Response(child.stdout).text()).trim()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("opening a database file", () => {
  // SQLite answers the switch to WAL with SQLITE_BUSY at once, whatever the busy timeout, when
  // another process holds a lock on the new file: processes opening it together used to fail
  it("opens one new file from several processes at once, each seeing the migration applied once", async () => {
    const outputs: string[] = [];
    for (let round = 0; round < 12; round++) outputs.push(...(await openTogether(6)));
    expect(outputs).toEqual(Array.from({ length: 72 }, () => "ok 1"));
  }, 20_000);
});
