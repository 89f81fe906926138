/**
 * Search bench: seeds `packages` plugins (3 versions each) into a registry in this process and
 * times `GET /-/v1/search` and `GET /-/marketplace/plugins` over HTTP, median ms per request,
 * on the embedded storage (SQLite) and, under `bun test`, also on a throwaway PostgreSQL.
 *
 * Run: `bun registry-server/bench/search.ts [packages] [requests]` (SQLite), or
 * `bun test ./registry-server/bench/search.ts` (SQLite and PostgreSQL, 300 packages, 200 requests).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPostgresStorage, type RegistryStorage, startRegistry } from "@buntime/registry-server";
import { benchTarball } from "./seed.ts";

const args = process.env.NODE_ENV === "test" ? [] : process.argv.slice(2);
const PACKAGES = Number(args[0] ?? 300);
const REQUESTS = Number(args[1] ?? 200);
const VERSIONS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed(url: string): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    times.push(performance.now() - start);
  }
  return { first: times[0] ?? 0, median: median(times) };
}

async function run(label: string, storage: RegistryStorage | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "buntime-search-bench-"));
  const registry = await startRegistry({ port: 0, storageDir: join(dir, "store"), storage });
  try {
    const seedStart = performance.now();
    for (let v = 0; v < VERSIONS; v++) {
      for (let p = 0; p < PACKAGES; p++) {
        await registry.publishTarball(benchTarball(`bench-plugin-${p}`, `1.${v}.0`));
      }
    }
    const seedMs = performance.now() - seedStart;
    const search = await timed(`${registry.url}-/v1/search?text=bench&size=20`);
    const market = await timed(`${registry.url}-/marketplace/plugins?q=bench`);
    console.log(
      `${label}: seeded ${PACKAGES} x ${VERSIONS} in ${seedMs.toFixed(0)} ms; ` +
        `search first ${search.first.toFixed(2)} ms, median ${search.median.toFixed(2)} ms; ` +
        `marketplace first ${market.first.toFixed(2)} ms, median ${market.median.toFixed(2)} ms ` +
        `(${REQUESTS} requests each)`,
    );
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await run("sqlite", undefined);
if (process.env.NODE_ENV === "test") {
  const { startTestPostgres } = await import("@buntime/test-kit/postgres");
  const postgres = await startTestPostgres();
  try {
    await run("postgres", await openPostgresStorage(postgres.url));
  } finally {
    await postgres.stop();
  }
}
