/**
 * Search bench, server side: `bun registry-server/bench/search.ts [--packages 1000] [--versions 5]
 * [--postgres <url of an empty database>]`. Seeds a fresh store through the metadata contract,
 * then prints the p95 of the full-text query alone and of whole `/-/v1/search` and `/-/marketplace/plugins` answers
 * (in-process, no network), beside the 50 ms target of the marketplace bench, and the p95 of
 * the substring scan over the catalogue that the index replaced, for comparison.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRegistryServer, openPostgresStorage, openSqliteStorage } from "@buntime/registry-server";
import { type CatalogEntry, createCatalog, listField } from "../src/catalog/catalog.ts";
import { queryWords } from "../src/search/words.ts";
import { indexed } from "../test/helpers/search-contract.ts";

const { values } = parseArgs({
  options: {
    packages: { type: "string", default: "1000" },
    versions: { type: "string", default: "5" },
    postgres: { type: "string" },
  },
});
const dir = mkdtempSync(join(tmpdir(), "search-bench-"));
const storage = values.postgres ? await openPostgresStorage(values.postgres) : openSqliteStorage(dir);
const app = await createRegistryServer({ storage });

const seeded = performance.now();
for (let i = 0; i < Number(values.packages); i++) {
  for (let v = 0; v < Number(values.versions); v++) {
    await storage.metadata.insertVersion(
      indexed(`@seed/plugin-${i}`, `1.${v}.0`, {
        description: `seeded plugin number ${i} for the search bench`,
        keywords: [`k${i % 50}`, "seed"],
        readme: `# plugin ${i}\n\nA plugin seeded for the bench, with a readme of a few words.`,
      }),
      ["latest"],
    );
  }
}
console.log(
  `seeded ${values.packages} × ${values.versions} in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
);

const queries = ["seed", "plugin 42", "number 999", "k7", "nothing-matches", "bench"];
async function p95(label: string, run: (query: string) => Promise<unknown>): Promise<void> {
  // a warm-up round first: the catalogue reads every version once, and the JIT settles
  for (const query of queries) await run(query);
  const times: number[] = [];
  for (let i = 0; i < 120; i++) {
    const started = performance.now();
    await run(queries[i % queries.length] as string);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const value = times[Math.ceil(0.95 * times.length) - 1] as number;
  console.log(`${label.padEnd(40)} ${value.toFixed(2).padStart(8)} ms   target ≤ 50 ms`);
}
/** A substring scan like the one search ran before the index: name, keywords and description. */
function scanned(entry: CatalogEntry, terms: string[]): boolean {
  const text = [
    entry.pkg.name,
    ...listField(entry.latest.manifest, "keywords"),
    entry.latest.manifest.description,
  ];
  const haystack = text.join(" ").toLowerCase();
  return terms.every((term) => haystack.includes(term));
}
const catalog = createCatalog(storage.metadata);
await p95("catalogue read alone (p95)", () => catalog.entries());
await p95("before: catalogue + substring scan (p95)", async (q) =>
  (await catalog.entries()).filter((entry) => scanned(entry, q.toLowerCase().split(/\s+/))),
);
await p95("after: catalogue + full-text query (p95)", async (q) => {
  const [entries, ranks] = await Promise.all([
    catalog.entries(),
    storage.metadata.searchPackages(queryWords(q)),
  ]);
  return entries.filter((entry) => ranks.has(entry.pkg.name));
});
const get = async (path: string) => (await app.fetch(new Request(`http://bench.test${path}`))).arrayBuffer();
await p95("full-text query alone (p95)", (q) => storage.metadata.searchPackages(queryWords(q)));
await p95("GET /-/v1/search (p95)", (q) => get(`/-/v1/search?text=${encodeURIComponent(q)}`));
await p95("GET /-/marketplace/plugins (p95)", (q) =>
  get(`/-/marketplace/plugins?q=${encodeURIComponent(q)}&kernel=0.1.0`),
);
await storage.metadata.close();
rmSync(dir, { recursive: true, force: true });
