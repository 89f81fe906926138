import { describe, it } from "bun:test";
import { join } from "node:path";
import { openSqliteStorage } from "@buntime/registry-server";
import { countListVersions, expectCatalogFollowsWrites } from "./helpers/catalog.ts";
import { startTestRegistry, tempDir } from "./helpers/registry.ts";

describe("search and marketplace catalog", () => {
  it("shows every publish, version, deprecation, tag, owner and unpublish at once, reading only changed packages", async () => {
    const counted = countListVersions(openSqliteStorage(join(tempDir(), "store")));
    const registry = await startTestRegistry({ storage: counted.storage });
    await expectCatalogFollowsWrites(registry.base, [
      { base: registry.base, listVersionsCalls: counted.listVersionsCalls },
    ]);
  });
});
