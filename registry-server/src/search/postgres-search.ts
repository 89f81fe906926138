import type { SQL } from "bun";
import { type Row, toPackage, toVersion } from "../storage/rows.ts";
import { POSTGRES } from "../storage/schema.ts";
import type { VersionRecord } from "../storage/types.ts";
import { compatSegments, compatVersions, halfOpen } from "./compat.ts";
import { FACET_TABLES, facetsSchema, versionFacets } from "./facets.ts";
import { createPackageQuery, type QueryDialect } from "./package-query.ts";
import type { PackagePage, PackageQuery } from "./query.ts";
import { searchDocument } from "./words.ts";

/** The index layout; a database whose `search_index` setting differs is reindexed on open. */
const INDEX_VERSION = "tsvector-8";

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

/** How PostgreSQL writes the parts of a package query that differ between backends. */
const DIALECT: QueryDialect = {
  sql: POSTGRES,
  nestedLookups: false,
  placeholder: (index) => `$${index}`,
  // every word is letters and digits only (see searchWords), so it is a plain tsquery lexeme
  matchText: (words) => words.map((word) => `${word}:*`).join(" & "),
  matching: (
    param,
    ranked,
  ) => `SELECT name, ${ranked ? `ts_rank('${WEIGHTS}'::float4[], document, q)` : "1.0"} AS rank
    FROM registry_search, to_tsquery('simple', ${param}) q WHERE document @@ q`,
  // = ANY(ARRAY(...)) rather than IN (SELECT ...): the planner then looks each name up in the index
  inList: (column, param) =>
    `${column} = ANY(ARRAY(SELECT jsonb_array_elements_text(${param}::text::jsonb)))`,
  hasOwner: (column, param) => `${column}::text::jsonb @> jsonb_build_array(${param}::text)`,
};

/** Stores a new live version's facets. Run inside the write's transaction, before indexing. */
export async function addPostgresVersion(tx: SQL, record: VersionRecord): Promise<void> {
  const f = versionFacets(record);
  const { name, version } = record;
  await tx`INSERT INTO registry_search_versions VALUES (${name}, ${version}, ${f.versionKey}, ${record.publishedAt},
    ${f.plugin}, ${f.kernel})`;
  const terms = [
    ...f.keywords.map((term) => ({ kind: "k", term })),
    ...f.categories.map((term) => ({ kind: "c", term })),
  ];
  if (terms.length > 0) {
    await tx`INSERT INTO registry_search_terms SELECT t ->> 'kind', t ->> 'term', ${name}, ${version}
      FROM jsonb_array_elements(${JSON.stringify(terms)}::text::jsonb) t`;
  }
  if (f.intervals.length > 0) {
    await tx`INSERT INTO registry_search_kernel SELECT ${name}, ${version}, ${f.versionKey}, ${record.publishedAt},
      ${f.kernel}, i ->> 'lo', (i ->> 'loInclusive')::boolean,
      i ->> 'hi', (i ->> 'hiInclusive')::boolean, (i ->> 'exact')::boolean
      FROM jsonb_array_elements(${JSON.stringify(f.intervals)}::text::jsonb) i`;
    await refreshPostgresCompat(tx, name);
  }
}

/** Rebuilds the package's compatibility segments from its exact kernel intervals. */
async function refreshPostgresCompat(tx: SQL, name: string): Promise<void> {
  const rows = (await tx`SELECT * FROM registry_search_kernel WHERE name = ${name} AND exact`) as Row[];
  await tx`DELETE FROM registry_search_compat WHERE name = ${name}`;
  const segments = compatSegments(compatVersions(rows)).map((s) => ({ ...s, ...halfOpen(s) }));
  if (segments.length === 0) return;
  // the package's columns are filled by indexPostgresPackage, which follows in the same transaction
  await tx`INSERT INTO registry_search_compat SELECT ${name}, s ->> 'version', s ->> 'versionKey', s ->> 'publishedAt',
    s ->> 'lo', s ->> 'hi', '', 0, '' FROM jsonb_array_elements(${JSON.stringify(segments)}::text::jsonb) s`;
}

/** Forgets an unpublished version's facets. Run inside the write's transaction, before indexing. */
export async function removePostgresVersion(tx: SQL, name: string, version: string): Promise<void> {
  await tx`DELETE FROM registry_search_versions WHERE name = ${name} AND version = ${version}`;
  await tx`DELETE FROM registry_search_terms WHERE name = ${name} AND version = ${version}`;
  await tx`DELETE FROM registry_search_kernel WHERE name = ${name} AND version = ${version}`;
  await refreshPostgresCompat(tx, name);
}

/** Adds downloads to the package's total. Run inside the transaction that counts them. */
export async function addPostgresDownloads(tx: SQL, name: string, count: number): Promise<void> {
  // the package's row lock (shared) waits for a write to the package, which replaces its
  // segments: both totals then count these downloads, in the order every writer locks them
  await tx`SELECT 1 FROM registry_packages WHERE name = ${name} FOR SHARE`;
  await tx`UPDATE registry_search_packages SET downloads = downloads + ${count} WHERE name = ${name}`;
  await tx`UPDATE registry_search_compat SET downloads = downloads + ${count} WHERE name = ${name}`;
}

/**
 * Re-reads the package's indexed version and replaces its `tsvector` (name A, keywords and
 * categories B, description C, readme opening D, all with the `simple` configuration: no
 * stemming or stop words, so names and keywords match as written) and its `search_packages`
 * row. Run inside the write's transaction.
 */
export async function indexPostgresPackage(tx: SQL, name: string): Promise<void> {
  const [row] = (await tx`SELECT * FROM registry_packages WHERE name = ${name}`) as Row[];
  const latestTag = row ? (toPackage(row).distTags.latest ?? "") : "";
  // the version `latest` points at, else the newest live one: one row, however many versions
  const [version] = (await tx`SELECT * FROM registry_versions WHERE name = ${name} AND NOT unpublished
    ORDER BY version = ${latestTag} DESC, published_at DESC, version DESC LIMIT 1`) as Row[];
  if (!row || !version) {
    await tx`DELETE FROM registry_search WHERE name = ${name}`;
    await tx`DELETE FROM registry_search_packages WHERE name = ${name}`;
    return;
  }
  const latest = toVersion(version);
  const d = searchDocument(latest);
  await tx`INSERT INTO registry_search VALUES (${name},
    setweight(to_tsvector('simple', ${d.name}), 'A') || setweight(to_tsvector('simple', ${d.keywords}), 'B') ||
    setweight(to_tsvector('simple', ${d.categories}), 'B') || setweight(to_tsvector('simple', ${d.description}), 'C') ||
    setweight(to_tsvector('simple', ${d.readme}), 'D'))
    ON CONFLICT (name) DO UPDATE SET document = excluded.document`;
  const plugin = versionFacets(latest).plugin ? latest.version : null;
  await tx`INSERT INTO registry_search_packages VALUES (${name}, ${latest.version},
    coalesce(${plugin}::text, (SELECT version FROM registry_search_versions WHERE name = ${name} AND plugin
      ORDER BY version_key DESC, published_at, version COLLATE "C" LIMIT 1)),
    (SELECT coalesce(sum(count), 0) FROM registry_downloads WHERE name = ${name}), ${String(row.modified_at)})
    ON CONFLICT (name) DO UPDATE SET latest = excluded.latest, plugin_version = excluded.plugin_version,
      downloads = excluded.downloads, modified_at = excluded.modified_at`;
  await tx`UPDATE registry_search_compat c SET latest = p.latest, downloads = p.downloads, modified_at = p.modified_at
    FROM registry_search_packages p WHERE p.name = ${name} AND c.name = ${name}`;
}

/**
 * Creates the search tables and, when the stored layout is older (or the database predates
 * search), indexes every package. Run inside the schema-creating transaction, under its lock.
 */
export async function migratePostgresSearch(tx: SQL): Promise<void> {
  await tx.unsafe(POSTGRES_SEARCH_SCHEMA);
  await tx.unsafe(facetsSchema(POSTGRES));
  const [setting] = (await tx`SELECT value FROM registry_settings WHERE key = 'search_index'`) as Row[];
  if (setting?.value === INDEX_VERSION) return;
  await tx`DELETE FROM registry_search`;
  // an older layout's facet tables may have other columns: made again, then filled
  for (const table of FACET_TABLES) await tx.unsafe(`DROP TABLE IF EXISTS registry_${table}`);
  await tx.unsafe(facetsSchema(POSTGRES));
  for (const live of (await tx`SELECT * FROM registry_versions WHERE NOT unpublished`) as Row[]) {
    await addPostgresVersion(tx, toVersion(live));
  }
  for (const pkg of (await tx`SELECT name FROM registry_packages`) as Row[]) {
    await indexPostgresPackage(tx, String(pkg.name));
  }
  await tx`INSERT INTO registry_settings VALUES ('search_index', ${INDEX_VERSION})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
}

/** Every package matching all words (each as a prefix), with its `ts_rank`. */
export async function searchPostgres(sql: SQL, words: string[]): Promise<Map<string, number>> {
  if (words.length === 0) return new Map();
  const rows = (await sql.unsafe(DIALECT.matching("$1", true), [DIALECT.matchText(words)])) as Row[];
  return new Map(rows.map((row) => [String(row.name), Number(row.rank)]));
}

/** A filtered, sorted page (see `MetadataStore.queryPackages`). */
export function queryPostgres(sql: SQL): (query: PackageQuery) => Promise<PackagePage> {
  return createPackageQuery(DIALECT, async (text, params) => (await sql.unsafe(text, params)) as Row[]);
}
