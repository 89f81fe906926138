import { Database } from "bun:sqlite";
import { BuntimeError } from "@buntime/sdk";
import { createSqliteSearch } from "../search/sqlite-search.ts";
import {
  nextModified,
  type Row,
  tagsWithout,
  toPackage,
  toPublisherKey,
  toToken,
  toUser,
  toVersion,
} from "./rows.ts";
import { metadataSchema, SQLITE } from "./schema.ts";
import type { MetadataStore, PackageRecord, VersionRecord } from "./types.ts";

/**
 * Metadata in one SQLite file (`bun:sqlite`, WAL journal, synchronous=FULL so a commit that
 * returned survives a crash). Writes run in immediate transactions, so concurrent publishes of
 * one version from several processes sharing the file still see exactly one winner.
 *
 * @param path database file, or `:memory:`
 */
export function createSqliteMetadata(path: string): MetadataStore {
  const db = new Database(path, { create: true, strict: true });
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = FULL");
  db.run("PRAGMA busy_timeout = 5000");
  db.run(metadataSchema(SQLITE));
  const search = createSqliteSearch(db);

  const getPackageRow = db.query<Row, [string]>("SELECT * FROM packages WHERE name = ?");
  const getVersionRow = db.query<Row, [string, string]>(
    "SELECT * FROM versions WHERE name = ? AND version = ? AND unpublished = 0",
  );
  const readPackage = (name: string): PackageRecord | undefined => {
    const row = getPackageRow.get(name);
    return row ? toPackage(row) : undefined;
  };
  const touch = (name: string, tags: Record<string, string>, owners?: string[]) => {
    const pkg = readPackage(name);
    if (!pkg) throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: name });
    db.run("UPDATE packages SET dist_tags = ?, owners = ?, modified_at = ? WHERE name = ?", [
      JSON.stringify(tags),
      JSON.stringify(owners ?? pkg.owners),
      nextModified(pkg.modifiedAt),
      name,
    ]);
    // every write to a package passes here, inside its transaction: the index never lags
    search.index(name);
  };

  const insertVersion = db.transaction((record: VersionRecord, tags: string[]) => {
    const pkg = readPackage(record.name);
    if (!pkg) {
      db.run("INSERT INTO packages VALUES (?, ?, ?, ?, ?)", [
        record.name,
        JSON.stringify([record.publisher]),
        "{}",
        record.publishedAt,
        record.publishedAt,
      ]);
    } else if (!pkg.owners.includes(record.publisher)) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_NOT_OWNER", {
        user: record.publisher,
        package: record.name,
      });
    }
    const taken = db
      .query("SELECT 1 FROM versions WHERE name = ? AND version = ?")
      .get(record.name, record.version);
    if (taken) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_VERSION_EXISTS", {
        package: record.name,
        version: record.version,
      });
    }
    db.run("INSERT INTO versions (name, version, record, published_at) VALUES (?, ?, ?, ?)", [
      record.name,
      record.version,
      JSON.stringify(record),
      record.publishedAt,
    ]);
    search.addVersion(record);
    const distTags = { ...(pkg?.distTags ?? {}) };
    for (const tag of tags) distTags[tag] = record.version;
    touch(record.name, distTags);
  });

  const unpublish = db.transaction((name: string, version: string) => {
    db.run("UPDATE versions SET unpublished = 1 WHERE name = ? AND version = ?", [name, version]);
    search.removeVersion(name, version);
    const pkg = readPackage(name);
    if (pkg) touch(name, tagsWithout(pkg.distTags, version));
  });

  const addDownloads = db.transaction((name: string, version: string, day: string, count: number) => {
    db.run(
      `INSERT INTO downloads VALUES (?, ?, ?, ?)
       ON CONFLICT (name, version, day) DO UPDATE SET count = count + excluded.count`,
      [name, version, day, count],
    );
    search.addDownloads(name, count);
  });

  const withPackage = (name: string, change: (pkg: PackageRecord) => void) =>
    db.transaction(() => {
      const pkg = readPackage(name);
      if (!pkg) throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: name });
      change(pkg);
    })();

  return {
    async settingOrInit(key, value) {
      db.run("INSERT OR IGNORE INTO settings VALUES (?, ?)", [key, value]);
      const row = db.query<Row, [string]>("SELECT value FROM settings WHERE key = ?").get(key);
      return String(row?.value);
    },
    async createUser(user) {
      const result = db.run("INSERT OR IGNORE INTO users VALUES (?, ?, ?, ?, ?)", [
        user.name,
        user.passwordHash,
        user.email,
        user.admin ? 1 : 0,
        user.createdAt,
      ]);
      return result.changes === 1;
    },
    async getUser(name) {
      const row = db.query<Row, [string]>("SELECT * FROM users WHERE name = ?").get(name);
      return row ? toUser(row) : undefined;
    },
    async countUsers() {
      const row = db.query<Row, []>("SELECT count(*) AS n FROM users").get();
      return Number(row?.n ?? 0);
    },
    async createToken(token) {
      db.run("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)", [
        token.id,
        token.user,
        token.label,
        token.hash,
        token.scope,
        token.createdAt,
        token.revokedAt,
      ]);
    },
    async findToken(hash) {
      const row = db
        .query<Row, [string]>("SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL")
        .get(hash);
      return row ? toToken(row) : undefined;
    },
    async listTokens(user) {
      return db
        .query<Row, [string]>("SELECT * FROM tokens WHERE user_name = ? ORDER BY created_at")
        .all(user)
        .map(toToken);
    },
    async revokeToken(user, id) {
      const result = db.run(
        "UPDATE tokens SET revoked_at = ? WHERE user_name = ? AND id = ? AND revoked_at IS NULL",
        [new Date().toISOString(), user, id],
      );
      return result.changes === 1;
    },
    async getPackage(name) {
      return readPackage(name);
    },
    async listPackages() {
      return db.query<Row, []>("SELECT * FROM packages ORDER BY name").all().map(toPackage);
    },
    async listVersions(name) {
      return db
        .query<Row, [string]>(
          "SELECT * FROM versions WHERE name = ? AND unpublished = 0 ORDER BY published_at, version",
        )
        .all(name)
        .map(toVersion);
    },
    async getVersion(name, version) {
      const row = getVersionRow.get(name, version);
      return row ? toVersion(row) : undefined;
    },
    async insertVersion(record, tags) {
      insertVersion.immediate(record, tags);
    },
    async setDistTag(name, tag, version) {
      withPackage(name, (pkg) => touch(name, { ...pkg.distTags, [tag]: version }));
    },
    async removeDistTag(name, tag) {
      withPackage(name, (pkg) => {
        const { [tag]: _removed, ...rest } = pkg.distTags;
        touch(name, rest);
      });
    },
    async setDeprecated(name, version, message) {
      withPackage(name, (pkg) => {
        db.run("UPDATE versions SET deprecated = ? WHERE name = ? AND version = ?", [message, name, version]);
        touch(name, pkg.distTags);
      });
    },
    async unpublishVersion(name, version) {
      unpublish.immediate(name, version);
    },
    async setOwners(name, owners) {
      withPackage(name, (pkg) => touch(name, pkg.distTags, owners));
    },
    async searchPackages(words) {
      return search.search(words);
    },
    async queryPackages(query) {
      return search.query(query);
    },
    async addDownloads(name, version, day, count) {
      addDownloads.immediate(name, version, day, count);
    },
    async downloadsByVersion(name) {
      const rows = db
        .query<Row, [string]>(
          "SELECT version, sum(count) AS n FROM downloads WHERE name = ? GROUP BY version",
        )
        .all(name);
      return Object.fromEntries(rows.map((row) => [String(row.version), Number(row.n)]));
    },
    async downloadTotals() {
      const rows = db.query<Row, []>("SELECT name, sum(count) AS n FROM downloads GROUP BY name").all();
      return new Map(rows.map((row) => [String(row.name), Number(row.n)]));
    },
    async addPublisherKey(key) {
      db.run("INSERT INTO publisher_keys VALUES (?, ?, ?, ?)", [
        key.keyid,
        key.user,
        key.publicKey,
        key.createdAt,
      ]);
    },
    async listPublisherKeys(user) {
      return db
        .query<Row, [string]>("SELECT * FROM publisher_keys WHERE user_name = ? ORDER BY created_at")
        .all(user)
        .map(toPublisherKey);
    },
    async referencedBlobs() {
      const rows = db.query<Row, []>("SELECT record FROM versions WHERE unpublished = 0").all();
      return new Set(rows.map((row) => toVersion(row).blobKey));
    },
    async close() {
      db.close();
    },
  };
}
