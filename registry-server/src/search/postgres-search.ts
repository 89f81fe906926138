import type { SQL } from "bun";
import { type Row, toPackage, toVersion } from "../storage/rows.ts";
import { searchDocument } from "./words.ts";

/** The index layout; a database whose `search_index` setting differs is reindexed on open. */
const INDEX_VERSION = "tsvector-1";

/**
 * `ts_rank` weights for D, C, B, A: readme (D) 0.1, description (C) 0.3, keywords and
 * categories (B) 0.6, name (A) 1.0.
 */
const WEIGHTS = "{0.1, 0.3, 0.6, 1.0}";

/** The search table and its GIN index, created if missing. */
export const POSTGRES_SEARCH_SCHEMA = `
CREATE TABLE IF NOT EXISTS registry_search (name TEXT PRIMARY KEY, document TSVECTOR NOT NULL);
CREATE INDEX IF NOT EXISTS registry_search_document ON registry_search USING GIN (document);
`;

/**
 * Re-reads the package's indexed version and replaces its `tsvector` (name A, keywords and
 * categories B, description C, readme opening D, all with the `simple` configuration: no
 * stemming or stop words, so names and keywords match as written). Run inside the write's transaction.
 */
export async function indexPostgresPackage(tx: SQL, name: string): Promise<void> {
  const [row] = (await tx`SELECT * FROM registry_packages WHERE name = ${name}`) as Row[];
  const latest = row ? (toPackage(row).distTags.latest ?? "") : "";
  // the version `latest` points at, else the newest live one: one row, however many versions
  const [version] = (await tx`SELECT * FROM registry_versions WHERE name = ${name} AND NOT unpublished
    ORDER BY version = ${latest} DESC, published_at DESC, version DESC LIMIT 1`) as Row[];
  if (!row || !version) {
    await tx`DELETE FROM registry_search WHERE name = ${name}`;
    return;
  }
  const d = searchDocument(toVersion(version));
  await tx`INSERT INTO registry_search VALUES (${name},
    setweight(to_tsvector('simple', ${d.name}), 'A') || setweight(to_tsvector('simple', ${d.keywords}), 'B') ||
    setweight(to_tsvector('simple', ${d.categories}), 'B') || setweight(to_tsvector('simple', ${d.description}), 'C') ||
    setweight(to_tsvector('simple', ${d.readme}), 'D'))
    ON CONFLICT (name) DO UPDATE SET document = excluded.document`;
}

/**
 * Creates the search table and, when the stored layout is older (or the database predates
 * search), indexes every package. Run inside the schema-creating transaction, under its lock.
 */
export async function migratePostgresSearch(tx: SQL): Promise<void> {
  await tx.unsafe(POSTGRES_SEARCH_SCHEMA);
  const [setting] = (await tx`SELECT value FROM registry_settings WHERE key = 'search_index'`) as Row[];
  if (setting?.value === INDEX_VERSION) return;
  await tx`DELETE FROM registry_search`;
  for (const pkg of (await tx`SELECT name FROM registry_packages`) as Row[]) {
    await indexPostgresPackage(tx, String(pkg.name));
  }
  await tx`INSERT INTO registry_settings VALUES ('search_index', ${INDEX_VERSION})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
}

/** Every package matching all words (each as a prefix), with its `ts_rank`. */
export async function searchPostgres(sql: SQL, words: string[]): Promise<Map<string, number>> {
  if (words.length === 0) return new Map();
  // every word is letters and digits only (see searchWords), so it is a plain tsquery lexeme
  const query = words.map((word) => `${word}:*`).join(" & ");
  const rows = (await sql`SELECT name, ts_rank(${WEIGHTS}::float4[], document, q) AS rank
    FROM registry_search, to_tsquery('simple', ${query}) q WHERE document @@ q`) as Row[];
  return new Map(rows.map((row) => [String(row.name), Number(row.rank)]));
}
