import type { Database } from "bun:sqlite";
import { type Row, toPackage, toVersion } from "../storage/rows.ts";
import { type SearchDocument, searchDocument } from "./words.ts";

/** The index layout; a store whose `search_index` setting differs is reindexed on open. */
const INDEX_VERSION = "fts5-1";

/**
 * bm25 weight per column, in the order of {@link SearchDocument}: a word in the name counts ten
 * times one in the readme.
 */
const WEIGHTS = "10.0, 5.0, 3.0, 2.0, 1.0";

/** Full-text search of one SQLite metadata database. */
export interface SqliteSearch {
  /** Re-reads the package's indexed version and replaces its entry. Call inside the write's transaction. */
  index(name: string): void;
  /** Every package matching all words (each as a prefix), with its rank (higher is better). */
  search(words: string[]): Map<string, number>;
}

/**
 * Full-text search over SQLite FTS5. `search_docs` gives each package a stable integer id (an
 * INTEGER PRIMARY KEY survives VACUUM) that is the rowid of its row in the FTS5 table, so a
 * reindex replaces one row instead of scanning the index for the name. A store made before the
 * index existed (or by an older layout) is indexed whole when opened.
 */
export function createSqliteSearch(db: Database): SqliteSearch {
  db.run(`
CREATE TABLE IF NOT EXISTS search_docs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
  name, keywords, categories, description, readme, tokenize = 'unicode61 remove_diacritics 2'
);`);
  const packageRow = db.query<Row, [string]>("SELECT * FROM packages WHERE name = ?");
  // the version `latest` points at, else the newest live one: one row, however many versions
  const indexedRow = db.query<Row, [string, string]>(
    `SELECT * FROM versions WHERE name = ? AND unpublished = 0
     ORDER BY version = ? DESC, published_at DESC, version DESC LIMIT 1`,
  );
  const docId = db.query<Row, [string]>("SELECT id FROM search_docs WHERE name = ?");

  const index = (name: string) => {
    db.run("INSERT OR IGNORE INTO search_docs (name) VALUES (?)", [name]);
    const id = Number(docId.get(name)?.id);
    db.run("DELETE FROM search WHERE rowid = ?", [id]);
    const row = packageRow.get(name);
    const version = row && indexedRow.get(name, toPackage(row).distTags.latest ?? "");
    if (!version) return;
    const doc: SearchDocument = searchDocument(toVersion(version));
    db.run(
      "INSERT INTO search (rowid, name, keywords, categories, description, readme) VALUES (?, ?, ?, ?, ?, ?)",
      [id, doc.name, doc.keywords, doc.categories, doc.description, doc.readme],
    );
  };

  const migrate = db.transaction(() => {
    const row = db.query<Row, []>("SELECT value FROM settings WHERE key = 'search_index'").get();
    if (row?.value === INDEX_VERSION) return;
    db.run("DELETE FROM search");
    for (const pkg of db.query<Row, []>("SELECT name FROM packages").all()) index(String(pkg.name));
    db.run("INSERT OR REPLACE INTO settings VALUES ('search_index', ?)", [INDEX_VERSION]);
  });
  migrate.immediate();

  const matching = db.query<Row, [string]>(
    `SELECT d.name AS name, -bm25(search, ${WEIGHTS}) AS rank
     FROM search JOIN search_docs d ON d.id = search.rowid WHERE search MATCH ?`,
  );
  return {
    index,
    search(words) {
      if (words.length === 0) return new Map();
      // every word is letters and digits only (see searchWords), quoted anyway, as a prefix
      const match = words.map((word) => `"${word}"*`).join(" AND ");
      return new Map(matching.all(match).map((r) => [String(r.name), Number(r.rank)]));
    },
  };
}
