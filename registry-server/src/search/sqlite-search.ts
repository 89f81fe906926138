import type { Database } from "bun:sqlite";
import { type Row, toPackage, toVersion } from "../storage/rows.ts";
import { SQLITE } from "../storage/schema.ts";
import type { VersionRecord } from "../storage/types.ts";
import { compatSegments, compatVersions, halfOpen } from "./compat.ts";
import { FACET_TABLES, facetsSchema, versionFacets } from "./facets.ts";
import { createPackageQuery, type QueryDialect } from "./package-query.ts";
import type { PackagePage, PackageQuery } from "./query.ts";
import { type SearchDocument, searchDocument } from "./words.ts";

/** The index layout; a store whose `search_index` setting differs is reindexed on open. */
const INDEX_VERSION = "fts5-8";

/**
 * bm25 weight per column, in the order of {@link SearchDocument}: a word in the name counts ten
 * times one in the readme.
 */
const WEIGHTS = "10.0, 5.0, 3.0, 2.0, 1.0";

/** How SQLite writes the parts of a package query that differ between backends. */
const DIALECT: QueryDialect = {
  sql: SQLITE,
  nestedLookups: true,
  placeholder: (index) => `?${index}`,
  // every word is letters and digits only (see searchWords), quoted anyway, as a prefix
  matchText: (words) => words.map((word) => `"${word}"*`).join(" AND "),
  matching: (param, ranked) => `SELECT d.name AS name, ${ranked ? `-bm25(search, ${WEIGHTS})` : "1.0"} AS rank
    FROM search JOIN search_docs d ON d.id = search.rowid WHERE search MATCH ${param}`,
  inList: (column, param) => `${column} IN (SELECT value FROM json_each(${param}))`,
  hasOwner: (column, param) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ${param})`,
};

/** Full-text and filtered search of one SQLite metadata database. */
export interface SqliteSearch {
  /** Stores a new live version's facets. Call inside the write's transaction, before `index`. */
  addVersion(record: VersionRecord): void;
  /** Forgets an unpublished version's facets. Call inside the write's transaction, before `index`. */
  removeVersion(name: string, version: string): void;
  /** Re-reads the package's indexed version and replaces its entries. Call inside the write's transaction. */
  index(name: string): void;
  /** Adds downloads to the package's total. Call inside the transaction that counts them. */
  addDownloads(name: string, count: number): void;
  /** Every package matching all words (each as a prefix), with its rank (higher is better). */
  search(words: string[]): Map<string, number>;
  /** A filtered, sorted page (see `MetadataStore.queryPackages`). */
  query(query: PackageQuery): Promise<PackagePage>;
}

/**
 * Full-text search over SQLite FTS5, and the facet tables that filter, sort and page in SQL.
 * `search_docs` gives each package a stable integer id (an INTEGER PRIMARY KEY survives VACUUM)
 * that is the rowid of its row in the FTS5 table, so a reindex replaces one row instead of
 * scanning the index for the name. A store made before the index existed (or by an older
 * layout) is indexed whole when opened.
 */
export function createSqliteSearch(db: Database): SqliteSearch {
  db.run(`
CREATE TABLE IF NOT EXISTS search_docs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
  name, keywords, categories, description, readme, tokenize = 'unicode61 remove_diacritics 2'
);`);
  db.run(facetsSchema(SQLITE));
  const packageRow = db.query<Row, [string]>("SELECT * FROM packages WHERE name = ?");
  // the version `latest` points at, else the newest live one: one row, however many versions
  const indexedRow = db.query<Row, [string, string]>(
    `SELECT * FROM versions WHERE name = ? AND unpublished = 0
     ORDER BY version = ? DESC, published_at DESC, version DESC LIMIT 1`,
  );
  const highestPlugin = db.query<Row, [string]>(
    `SELECT version FROM search_versions WHERE name = ? AND plugin
     ORDER BY version_key DESC, published_at, version LIMIT 1`,
  );
  const docId = db.query<Row, [string]>("SELECT id FROM search_docs WHERE name = ?");

  const exactIntervals = db.query<Row, [string]>("SELECT * FROM search_kernel WHERE name = ? AND exact");
  /** Rebuilds the package's compatibility segments from its exact kernel intervals. */
  const refreshCompat = (name: string) => {
    db.run("DELETE FROM search_compat WHERE name = ?", [name]);
    for (const s of compatSegments(compatVersions(exactIntervals.all(name)))) {
      const { lo, hi } = halfOpen(s);
      // the package's columns are filled by `index`, which follows in the same transaction
      db.run("INSERT INTO search_compat VALUES (?, ?, ?, ?, ?, ?, '', 0, '')", [
        name,
        s.version,
        s.versionKey,
        s.publishedAt,
        lo,
        hi,
      ]);
    }
  };

  const addVersion = (record: VersionRecord) => {
    const f = versionFacets(record);
    const { name, version } = record;
    db.run("INSERT INTO search_versions VALUES (?, ?, ?, ?, ?, ?)", [
      name,
      version,
      f.versionKey,
      record.publishedAt,
      f.plugin ? 1 : 0,
      f.kernel,
    ]);
    for (const [kind, terms] of [["k", f.keywords] as const, ["c", f.categories] as const]) {
      for (const term of terms)
        db.run("INSERT INTO search_terms VALUES (?, ?, ?, ?)", [kind, term, name, version]);
    }
    for (const i of f.intervals) {
      db.run("INSERT INTO search_kernel VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        name,
        version,
        f.versionKey,
        record.publishedAt,
        f.kernel,
        i.lo,
        i.loInclusive ? 1 : 0,
        i.hi,
        i.hiInclusive ? 1 : 0,
        i.exact ? 1 : 0,
      ]);
    }
    refreshCompat(name);
  };
  const removeVersion = (name: string, version: string) => {
    for (const table of ["search_versions", "search_terms", "search_kernel"]) {
      db.run(`DELETE FROM ${table} WHERE name = ? AND version = ?`, [name, version]);
    }
    refreshCompat(name);
  };

  const index = (name: string) => {
    db.run("INSERT OR IGNORE INTO search_docs (name) VALUES (?)", [name]);
    const id = Number(docId.get(name)?.id);
    db.run("DELETE FROM search WHERE rowid = ?", [id]);
    const row = packageRow.get(name);
    const version = row && indexedRow.get(name, toPackage(row).distTags.latest ?? "");
    if (!row || !version) {
      db.run("DELETE FROM search_packages WHERE name = ?", [name]);
      return;
    }
    const latest = toVersion(version);
    const doc: SearchDocument = searchDocument(latest);
    db.run(
      "INSERT INTO search (rowid, name, keywords, categories, description, readme) VALUES (?, ?, ?, ?, ?, ?)",
      [id, doc.name, doc.keywords, doc.categories, doc.description, doc.readme],
    );
    const plugin = versionFacets(latest).plugin ? latest.version : (highestPlugin.get(name)?.version ?? null);
    db.run(
      `INSERT OR REPLACE INTO search_packages VALUES (?1, ?2, ?3,
        (SELECT coalesce(sum(count), 0) FROM downloads WHERE name = ?1), ?4)`,
      [name, latest.version, plugin as string | null, String(row.modified_at)],
    );
    db.run(
      `UPDATE search_compat SET (latest, downloads, modified_at) =
        (SELECT latest, downloads, modified_at FROM search_packages WHERE name = ?1) WHERE name = ?1`,
      [name],
    );
  };

  const migrate = db.transaction(() => {
    const row = db.query<Row, []>("SELECT value FROM settings WHERE key = 'search_index'").get();
    if (row?.value === INDEX_VERSION) return;
    db.run("DELETE FROM search");
    // an older layout's facet tables may have other columns: made again, then filled
    for (const table of FACET_TABLES) db.run(`DROP TABLE IF EXISTS ${table}`);
    db.run(facetsSchema(SQLITE));
    for (const live of db.query<Row, []>("SELECT * FROM versions WHERE unpublished = 0").all()) {
      addVersion(toVersion(live));
    }
    for (const pkg of db.query<Row, []>("SELECT name FROM packages").all()) index(String(pkg.name));
    db.run("INSERT OR REPLACE INTO settings VALUES ('search_index', ?)", [INDEX_VERSION]);
  });
  migrate.immediate();

  const matching = db.query<Row, [string]>(DIALECT.matching("?1", true));
  return {
    addVersion,
    removeVersion,
    index,
    addDownloads(name, count) {
      for (const table of ["search_packages", "search_compat"]) {
        db.run(`UPDATE ${table} SET downloads = downloads + ? WHERE name = ?`, [count, name]);
      }
    },
    search(words) {
      if (words.length === 0) return new Map();
      return new Map(matching.all(DIALECT.matchText(words)).map((r) => [String(r.name), Number(r.rank)]));
    },
    query: createPackageQuery(DIALECT, async (text, params) =>
      db.query<Row, never[]>(text).all(...(params as never[])),
    ),
  };
}
