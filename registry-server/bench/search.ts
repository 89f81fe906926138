/**
 * Search bench, server side, both backends and both sizes in one run:
 *
 *   bun test ./registry-server/bench/search.ts          # SQLite and a throwaway PostgreSQL
 *   bun registry-server/bench/search.ts [--postgres <url of an empty database>]
 *
 * `SEARCH_BENCH_PACKAGES=1000,10000` (the default) sets the sizes, each package with
 * `SEARCH_BENCH_VERSIONS=5` plugin versions. Each size is seeded through the metadata contract
 * (the larger one on top of the smaller), then every figure is the p95 of 100 answers
 * (in-process, no network) beside the 50 ms target: the store's SQL query alone, whole
 * `GET /-/v1/search` answers, whole `GET /-/marketplace/plugins` answers, and the same lists
 * answered by `marketplacePage` alone (the SQL query that route runs, cards built for the page).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createRegistryServer,
  openPostgresStorage,
  openSqliteStorage,
  type RegistryStorage,
} from "@buntime/registry-server";
import { marketplacePage } from "../src/search/marketplace-page.ts";
import type { PackageQuery } from "../src/search/query.ts";
import { indexed } from "../test/helpers/search-contract.ts";

const TARGET_MS = 50;
const RUNS = 100;
const sizes = (process.env.SEARCH_BENCH_PACKAGES ?? "1000,10000").split(",").map(Number);
const versions = Number(process.env.SEARCH_BENCH_VERSIONS ?? 5);
const underTest = process.env.NODE_ENV === "test";
const { values } = underTest
  ? { values: { postgres: undefined } }
  : parseArgs({ options: { postgres: { type: "string" } } });

const KERNELS = ["^0.1.0", ">=0.1.0 <0.3.0", "^0.2.0", "~0.1.5 || ^0.3.0", ">=0.2.0-beta.1"];
const CATEGORIES = ["security", "observability", "storage", "ui", "network", "data", "devtools"];

/** Seeds packages `from` to `to` (exclusive), `parallel` packages at a time. */
async function seed(storage: RegistryStorage, from: number, to: number, parallel: number): Promise<void> {
  let next = from;
  const worker = async () => {
    for (let i = next++; i < to; i = next++) {
      for (let v = 0; v < versions; v++) {
        const record = indexed(`@seed/plugin-${i}`, `0.${v}.0`, {
          description: `seeded plugin number ${i} for the search bench`,
          keywords: [`k${i % 50}`, "seed"],
          categories: [CATEGORIES[i % CATEGORIES.length] as string],
          readme: `# plugin ${i}\n\nA plugin seeded for the bench, with a readme of a few words.`,
        });
        record.manifest.buntime = { kernel: KERNELS[(i + v) % KERNELS.length] };
        await storage.metadata.insertVersion(record, ["latest"]);
      }
      if (i % 3 === 0)
        await storage.metadata.addDownloads(`@seed/plugin-${i}`, "0.0.0", "2026-12-01", i % 97);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** The p95 and p50 of RUNS answers, in ms. */
async function percentiles(run: (i: number) => Promise<unknown>): Promise<{ p95: number; p50: number }> {
  for (let i = 0; i < 6; i++) await run(i); // warm-up: caches fill and the JIT settles
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.ceil(q * times.length) - 1] as number;
  return { p95: at(0.95), p50: at(0.5) };
}

const TEXTS = ["seed", "plugin 42", "number 999", "k7", "nothing-matches", "bench", ""];
/** The marketplace's questions: text, kernel, category, every sort. */
const marketplaceQuery = (i: number): PackageQuery => ({
  text: TEXTS[i % TEXTS.length],
  kernel: i % 2 === 0 ? "0.2.0" : undefined,
  categories: i % 3 === 0 ? [CATEGORIES[i % CATEGORIES.length] as string] : [],
  plugins: true,
  sort: (["relevance", "downloads", "updated", "name"] as const)[i % 4],
  limit: 20,
});
const marketplacePath = (q: PackageQuery) =>
  `/-/marketplace/plugins?q=${encodeURIComponent(q.text ?? "")}&sort=${q.sort}${q.kernel ? `&kernel=${q.kernel}` : ""}${
    q.categories?.[0] ? `&category=${q.categories[0]}` : ""
  }`;

async function benchBackend(label: string, storage: RegistryStorage): Promise<void> {
  const app = await createRegistryServer({ storage });
  const get = async (path: string) => {
    const response = await app.fetch(new Request(`http://bench.test${path}`));
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.arrayBuffer();
  };
  let seeded = 0;
  for (const size of sizes) {
    const started = performance.now();
    await seed(storage, seeded, size, label === "SQLite" ? 1 : 8);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    seeded = size;
    const load = loadavg()[0]?.toFixed(1);
    console.log(
      `\n${label}, ${size} packages × ${versions} versions (seeded in ${seconds} s; load average ${load})`,
    );
    const figures: [string, (i: number) => Promise<unknown>][] = [
      ["SQL query alone (marketplace questions)", (i) => storage.metadata.queryPackages(marketplaceQuery(i))],
      [
        "GET /-/v1/search (SQL)",
        (i) => get(`/-/v1/search?text=${encodeURIComponent(TEXTS[i % TEXTS.length] ?? "")}`),
      ],
      [
        "marketplace list via SQL (marketplacePage)",
        (i) => {
          const q = marketplaceQuery(i);
          const [category] = q.categories ?? [];
          const sort = q.sort ?? "relevance";
          return marketplacePage(storage.metadata, {
            q: q.text ?? "",
            category,
            kernel: q.kernel,
            sort,
            limit: 20,
            offset: 0,
          });
        },
      ],
      ["GET /-/marketplace/plugins", (i) => get(marketplacePath(marketplaceQuery(i)))],
    ];
    for (const [name, run] of figures) {
      const { p95, p50 } = await percentiles(run);
      const verdict = p95 <= TARGET_MS ? "ok" : "OVER";
      console.log(
        `  ${name.padEnd(44)} p95 ${p95.toFixed(2).padStart(7)} ms (p50 ${p50.toFixed(2).padStart(6)})   target ≤ ${TARGET_MS} ms  ${verdict}`,
      );
    }
  }
  await app.close();
}

// tmpfs when there is one: seeding fsyncs every publish, which the search figures do not measure
const dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "search-bench-"));
try {
  await benchBackend("SQLite", openSqliteStorage(dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
let postgresUrl = values.postgres;
let stopPostgres = async () => {};
if (!postgresUrl && underTest) {
  const { startTestPostgres } = await import("@buntime/test-kit/postgres");
  const postgres = await startTestPostgres();
  postgresUrl = postgres.url;
  stopPostgres = postgres.stop;
}
if (postgresUrl) {
  await benchBackend("PostgreSQL", await openPostgresStorage(postgresUrl));
  await stopPostgres();
} else {
  console.log("\nPostgreSQL: skipped (run under `bun test`, or give --postgres <url>)");
}
