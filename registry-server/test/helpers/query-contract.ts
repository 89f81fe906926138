import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { RegistryStorage, VersionRecord } from "@buntime/registry-server";
import { isBuntimeError } from "@buntime/sdk";
import { createCatalog, listField } from "../../src/catalog/catalog.ts";
import type { PackageQuery, PackageSort } from "../../src/search/query.ts";
import { queryWords } from "../../src/search/words.ts";
import { newestCompatible } from "./newest-compatible.ts";
import { HOSTILE_QUERIES, indexed } from "./search-contract.ts";

/** Kernel ranges of every shape, including prerelease bounds, unions, garbage and a bound past 2^53. */
const RANGES: unknown[] = [
  "^0.1.0",
  "^0.2.0-beta.1",
  ">=0.1.0 <1.0.0",
  "~1.0.0 || ^2.0.0",
  "*",
  "0.2.x",
  "1.0.0 - 2.0.0",
  "<0.1.0",
  ">=1.0.0-rc.1",
  "not a range",
  42,
  ">=1.0.0-99999999999999998",
];
/** Kernels a caller may ask about: releases, prereleases, one past the 2^53 edge. */
export const KERNELS = ["0.1.0", "0.1.5", "0.2.0-beta.2", "0.2.0", "1.0.0-rc.2", "1.0.0", "2.5.0", "3.0.0"];
const WORDS = ["alpha", "beta", "gamma", "delta"];
const KEYWORDS = ["Auth", "logs", "cache", "ui"];
const CATEGORIES = ["Security", "observability", "storage"];

/** A small random generator, so a failure replays. */
function random(seed: number) {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    // the high bits: an LCG's low bits repeat with a short period
    return Math.floor(state / 2 ** 16) % n;
  };
  const pick = <T>(values: readonly T[]) => values[next(values.length)] as T;
  const some = <T>(values: readonly T[]) => values.filter(() => next(3) === 0);
  return { next, pick, some };
}

/**
 * Seeds `count` packages: several versions each, some plugins (with every kind of kernel
 * range), keywords and categories in mixed case, co-owners, downloads, a `latest` tag held
 * back, a prerelease on `next`, and unpublished versions.
 */
export async function seedQueryFixtures(storage: RegistryStorage, count: number, seed = 7): Promise<void> {
  const r = random(seed);
  const { metadata } = storage;
  for (let i = 0; i < count; i++) {
    const name = i % 5 === 0 ? `@scope/pkg-${i}` : `pkg-${i}`;
    const versions = ["0.1.0", "0.2.0", "1.0.0-rc.1", "1.0.0", "1.1.0"].slice(0, 1 + r.next(5));
    for (const version of versions) {
      const record: VersionRecord = indexed(name, version, {
        description: `${r.pick(WORDS)} ${r.pick(WORDS)} package`,
        keywords: r.some(KEYWORDS),
        categories: r.some(CATEGORIES),
      });
      if (r.next(4) !== 0) record.manifest.buntime = r.next(8) === 0 ? {} : { kernel: r.pick(RANGES) };
      const tags = version.includes("-") ? ["next"] : ["latest"];
      await metadata.insertVersion(record, tags);
    }
    if (r.next(4) === 0) await metadata.setOwners(name, ["owner", "friend"]);
    if (r.next(5) === 0 && versions.length > 1) await metadata.setDistTag(name, "latest", "0.1.0");
    if (r.next(6) === 0) await metadata.unpublishVersion(name, versions.at(-1) as string);
    if (r.next(3) !== 0) await metadata.addDownloads(name, "0.1.0", "2026-12-01", 1 + r.next(4));
  }
}

/** The answer the catalogue and semver give in JavaScript (the route code before SQL), as names@versions. */
export async function expectedPage(storage: RegistryStorage, query: PackageQuery) {
  const entries = await createCatalog(storage.metadata).entries();
  const text = query.text ?? "";
  const ranks = text.trim() === "" ? undefined : await storage.metadata.searchPackages(queryWords(text));
  const lower = (values: string[] | undefined) => (values ?? []).map((v) => v.toLowerCase());
  const hits = entries.flatMap((entry) => {
    const rank = ranks ? ranks.get(entry.pkg.name) : 1;
    if (rank === undefined) return [];
    const plugins = query.plugins || query.kernel !== undefined;
    const version = plugins ? newestCompatible(entry, query.kernel) : entry.latest;
    if (!version) return [];
    const has = (field: string, wanted: string[]) =>
      wanted.every((w) => lower(listField(version.manifest, field)).includes(w));
    if (!has("keywords", lower(query.keywords)) || !has("categories", lower(query.categories))) return [];
    if (!(query.owners ?? []).every((owner) => entry.pkg.owners.includes(owner))) return [];
    return [{ name: entry.pkg.name, version: version.version, rank, entry }];
  });
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  type Hit = (typeof hits)[number];
  const orders: Record<PackageSort, (a: Hit, b: Hit) => number> = {
    relevance: (a, b) => b.rank - a.rank || b.entry.downloads - a.entry.downloads || byName(a, b),
    downloads: (a, b) => b.entry.downloads - a.entry.downloads || byName(a, b),
    updated: (a, b) => b.entry.pkg.modifiedAt.localeCompare(a.entry.pkg.modifiedAt) || byName(a, b),
    name: byName,
  };
  hits.sort(orders[query.sort ?? "relevance"]);
  const offset = query.offset ?? 0;
  return {
    total: hits.length,
    page: hits.slice(offset, offset + (query.limit ?? 20)).map((hit) => `${hit.name}@${hit.version}`),
  };
}

/** The store's answer in the shape of {@link expectedPage}. */
export async function actualPage(storage: RegistryStorage, query: PackageQuery) {
  const answer = await storage.metadata.queryPackages(query);
  return { total: answer.total, page: answer.hits.map((hit) => `${hit.pkg.name}@${hit.version.version}`) };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return isBuntimeError(error) ? error.code : String(error);
  }
}

/**
 * The filtered search every metadata backend must give: the same page as the JavaScript
 * catalogue and semver over random queries, pages past the end, hostile text and bad input.
 */
export function queryContract(label: string, open: () => Promise<RegistryStorage>): void {
  describe(`${label} filtered search in SQL`, () => {
    let storage: RegistryStorage;
    beforeAll(async () => {
      storage = await open();
      await seedQueryFixtures(storage, 60);
    });
    afterAll(() => storage.metadata.close());

    it("gives the JavaScript answer for every kernel, with and without filters", async () => {
      for (const kernel of [undefined, ...KERNELS, "1.0.0-99999999999999999"]) {
        for (const query of [
          { kernel, limit: 250 },
          { kernel, plugins: true, sort: "name" as const, limit: 250 },
          { kernel, keywords: ["AUTH"], sort: "downloads" as const },
          { kernel, categories: ["security", "storage"], sort: "updated" as const },
        ]) {
          expect(await actualPage(storage, query)).toEqual(await expectedPage(storage, query));
        }
      }
    });

    it("gives the JavaScript answer over random queries, sorts and pages", async () => {
      const r = random(11);
      for (let i = 0; i < 150; i++) {
        const query: PackageQuery = {
          text:
            r.next(2) === 0
              ? ""
              : `${r.pick(WORDS).slice(0, 1 + r.next(5))} ${r.next(3) === 0 ? r.pick(WORDS) : ""}`,
          keywords: r.next(3) === 0 ? [r.pick(KEYWORDS)] : [],
          categories: r.next(4) === 0 ? [r.pick(CATEGORIES)] : [],
          owners: r.next(5) === 0 ? ["friend"] : [],
          plugins: r.next(2) === 0,
          kernel: r.next(2) === 0 ? r.pick(KERNELS) : undefined,
          sort: r.pick(["relevance", "downloads", "updated", "name"] as const),
          offset: r.next(3) === 0 ? r.next(30) : 0,
          limit: 1 + r.next(25),
        };
        const expected = await expectedPage(storage, query);
        if (JSON.stringify(await actualPage(storage, query)) !== JSON.stringify(expected)) {
          expect({ query, answer: await actualPage(storage, query) }).toEqual({ query, answer: expected });
        }
      }
    });

    it("walks every page once and says the total past the last one", async () => {
      const all = await actualPage(storage, { sort: "name", limit: 250 });
      const walked: string[] = [];
      for (let offset = 0; offset < all.total; offset += 7) {
        walked.push(...(await actualPage(storage, { sort: "name", offset, limit: 7 })).page);
      }
      expect(walked).toEqual(all.page);
      expect(await actualPage(storage, { sort: "name", offset: all.total + 5 })).toEqual({
        total: all.total,
        page: [],
      });
    });

    it("walks every order page by page with cursors, repeating and skipping nothing while others publish", async () => {
      for (const base of [
        { sort: "name" as const },
        { sort: "downloads" as const, plugins: true },
        { sort: "updated" as const, kernel: "0.2.0" },
        { sort: "relevance" as const, text: "alpha" },
        { sort: "relevance" as const, text: "be", categories: ["security"] },
      ]) {
        const all = await actualPage(storage, { ...base, limit: 250 });
        const walked: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 50; page++) {
          const answer = await storage.metadata.queryPackages({ ...base, limit: 4, cursor });
          walked.push(...answer.hits.map((hit) => `${hit.pkg.name}@${hit.version.version}`));
          expect(answer.total).toBe(all.total);
          cursor = answer.nextCursor;
          if (!cursor) break;
        }
        expect(walked).toEqual(all.page);
      }
      const first = await storage.metadata.queryPackages({ sort: "name", limit: 3 });
      // a package that sorts before the cursor arrives between two pages: the next page goes on
      await storage.metadata.insertVersion(indexed("aaa-late", "1.0.0"), ["latest"]);
      const second = await storage.metadata.queryPackages({
        sort: "name",
        limit: 3,
        cursor: first.nextCursor,
      });
      const names = [...first.hits, ...second.hits].map((hit) => hit.pkg.name);
      expect(new Set(names).size).toBe(6);
      expect(names).not.toContain("aaa-late");
      expect(
        await code(storage.metadata.queryPackages({ sort: "downloads", cursor: first.nextCursor })),
      ).toBe("BUNTIME_ERR_REGISTRY_SEARCH_INVALID");
      for (const cursor of ["garbage", "W10", first.nextCursor]) {
        const query = cursor === first.nextCursor ? { sort: "name" as const, cursor, offset: 3 } : { cursor };
        expect(await code(storage.metadata.queryPackages(query))).toBe("BUNTIME_ERR_REGISTRY_SEARCH_INVALID");
      }
      await storage.metadata.unpublishVersion("aaa-late", "1.0.0");
    });

    it("treats hostile text, keywords and owners as plain values", async () => {
      for (const text of HOSTILE_QUERIES) {
        const query = {
          text: text.slice(0, 256),
          keywords: [text.slice(0, 256)],
          owners: [text.slice(0, 256)],
        };
        expect(await actualPage(storage, query)).toEqual({ total: 0, page: [] });
        expect((await actualPage(storage, { text: text.slice(0, 256) })).total).toBeGreaterThanOrEqual(0);
      }
      expect((await storage.metadata.queryPackages({ text: "***" })).total).toBe(0);
      expect((await storage.metadata.getPackage("pkg-1"))?.name).toBe("pkg-1");
    });

    it("refuses bad input with BUNTIME_ERR_REGISTRY_SEARCH_INVALID", async () => {
      const bad: unknown[] = [
        { kernel: "latest" },
        { limit: 0 },
        { limit: 251 },
        { offset: -1 },
        { offset: 1.5 },
        { sort: "stars" },
        { text: "x".repeat(257) },
        { keywords: Array.from({ length: 129 }, (_, i) => `k${i}`) },
        { unknown: true },
      ];
      for (const query of bad) {
        expect(await code(storage.metadata.queryPackages(query as PackageQuery))).toBe(
          "BUNTIME_ERR_REGISTRY_SEARCH_INVALID",
        );
      }
    });

    it("follows downloads, dist-tags and unpublish at once", async () => {
      const { metadata } = storage;
      await metadata.addDownloads("pkg-2", "0.1.0", "2026-12-02", 1_000);
      expect((await actualPage(storage, { sort: "downloads", limit: 1 })).page[0]).toStartWith("pkg-2@");
      await metadata.setDistTag("pkg-3", "latest", "0.1.0");
      for (const query of [
        { sort: "downloads" as const },
        { kernel: "1.0.0", sort: "updated" as const },
        { kernel: "0.1.0", sort: "downloads" as const, limit: 250 },
        { kernel: "0.2.0", text: "package", sort: "downloads" as const, limit: 250 },
      ]) {
        expect(await actualPage(storage, query)).toEqual(await expectedPage(storage, query));
      }
    });
  });
}
