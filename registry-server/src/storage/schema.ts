/** Column types that differ between the SQL backends. */
export interface SqlDialect {
  /** Table name prefix (`registry_` in a shared PostgreSQL database). */
  prefix: string;
  boolean: string;
  false: string;
  counter: string;
  /** The collation that compares text byte by byte (version keys, name order). */
  binary: string;
}

/** SQLite: booleans and counters are integers; the database file is the registry's own. */
export const SQLITE: SqlDialect = {
  prefix: "",
  boolean: "INTEGER",
  false: "0",
  counter: "INTEGER",
  binary: "COLLATE BINARY",
};
/** PostgreSQL: tables are prefixed since the database may be shared. */
export const POSTGRES: SqlDialect = {
  prefix: "registry_",
  boolean: "BOOLEAN",
  false: "FALSE",
  counter: "BIGINT",
  binary: 'COLLATE "C"',
};

/** The metadata tables, one statement each, created if missing. */
export function metadataSchema({ prefix: p, boolean, false: no, counter }: SqlDialect): string {
  return `
CREATE TABLE IF NOT EXISTS ${p}settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ${p}users (
  name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, email TEXT, admin ${boolean} NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${p}tokens (
  id TEXT PRIMARY KEY, user_name TEXT NOT NULL, label TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS ${p}packages (
  name TEXT PRIMARY KEY, owners TEXT NOT NULL, dist_tags TEXT NOT NULL, created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${p}versions (
  name TEXT NOT NULL, version TEXT NOT NULL, record TEXT NOT NULL, deprecated TEXT,
  published_at TEXT NOT NULL, unpublished ${boolean} NOT NULL DEFAULT ${no}, PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS ${p}downloads (
  name TEXT NOT NULL, version TEXT NOT NULL, day TEXT NOT NULL, count ${counter} NOT NULL,
  PRIMARY KEY (name, version, day)
);
CREATE TABLE IF NOT EXISTS ${p}publisher_keys (
  keyid TEXT PRIMARY KEY, user_name TEXT NOT NULL, public_key TEXT NOT NULL, created_at TEXT NOT NULL
);
`;
}
