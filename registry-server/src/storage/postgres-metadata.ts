import { BuntimeError } from "@buntime/sdk";
import type { SQL } from "bun";
import {
  addPostgresDownloads,
  addPostgresVersion,
  indexPostgresPackage,
  migratePostgresSearch,
  queryPostgres,
  removePostgresVersion,
  searchPostgres,
} from "../search/postgres-search.ts";
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
import { metadataSchema, POSTGRES } from "./schema.ts";
import type { MetadataStore, PackageRecord } from "./types.ts";

/** A schema-creating lock id, so nodes starting together do not race on CREATE TABLE. */
const SCHEMA_LOCK = 4873_0001;

/** Runs `change` on the package row locked FOR UPDATE, inside one transaction. */
async function withLockedPackage(
  sql: SQL,
  name: string,
  change: (tx: SQL, pkg: PackageRecord) => Promise<void>,
): Promise<void> {
  await sql.begin(async (tx) => {
    const [row] = await tx`SELECT * FROM registry_packages WHERE name = ${name} FOR UPDATE`;
    if (!row) throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: name });
    await change(tx, toPackage(row as Row));
  });
}

async function writePackage(
  tx: SQL,
  pkg: PackageRecord,
  tags: Record<string, string>,
  owners: string[],
): Promise<void> {
  await tx`UPDATE registry_packages SET dist_tags = ${JSON.stringify(tags)}, owners = ${JSON.stringify(owners)},
    modified_at = ${nextModified(pkg.modifiedAt)} WHERE name = ${pkg.name}`;
  // every write to a package passes here, inside its transaction: the index never lags
  await indexPostgresPackage(tx, pkg.name);
}

/**
 * Metadata in PostgreSQL through `Bun.sql`, for several registry nodes sharing one database.
 * Writes to a package lock its row (`SELECT … FOR UPDATE`), so concurrent publishes of one
 * version from any number of nodes see exactly one winner.
 *
 * @param sql a connected `Bun.SQL` client (`new SQL(url)`)
 */
export async function createPostgresMetadata(sql: SQL): Promise<MetadataStore> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
    await tx.unsafe(metadataSchema(POSTGRES));
    await migratePostgresSearch(tx);
  });
  const rows = async (query: Promise<unknown>) => (await query) as Row[];
  const queryPackages = queryPostgres(sql);

  return {
    async settingOrInit(key, value) {
      await sql`INSERT INTO registry_settings VALUES (${key}, ${value}) ON CONFLICT (key) DO NOTHING`;
      const [row] = await rows(sql`SELECT value FROM registry_settings WHERE key = ${key}`);
      return String(row?.value);
    },
    async createUser(user) {
      const inserted = await rows(sql`INSERT INTO registry_users VALUES (${user.name}, ${user.passwordHash},
        ${user.email}, ${user.admin}, ${user.createdAt}) ON CONFLICT (name) DO NOTHING RETURNING name`);
      return inserted.length === 1;
    },
    async getUser(name) {
      const [row] = await rows(sql`SELECT * FROM registry_users WHERE name = ${name}`);
      return row ? toUser(row) : undefined;
    },
    async countUsers() {
      const [row] = await rows(sql`SELECT count(*)::int AS n FROM registry_users`);
      return Number(row?.n ?? 0);
    },
    async createToken(t) {
      await sql`INSERT INTO registry_tokens VALUES (${t.id}, ${t.user}, ${t.label}, ${t.hash}, ${t.scope},
        ${t.createdAt}, ${t.revokedAt})`;
    },
    async findToken(hash) {
      const [row] = await rows(
        sql`SELECT * FROM registry_tokens WHERE hash = ${hash} AND revoked_at IS NULL`,
      );
      return row ? toToken(row) : undefined;
    },
    async listTokens(user) {
      return (
        await rows(sql`SELECT * FROM registry_tokens WHERE user_name = ${user} ORDER BY created_at`)
      ).map(toToken);
    },
    async revokeToken(user, id) {
      const revoked = await rows(sql`UPDATE registry_tokens SET revoked_at = ${new Date().toISOString()}
        WHERE user_name = ${user} AND id = ${id} AND revoked_at IS NULL RETURNING id`);
      return revoked.length === 1;
    },
    async getPackage(name) {
      const [row] = await rows(sql`SELECT * FROM registry_packages WHERE name = ${name}`);
      return row ? toPackage(row) : undefined;
    },
    async listPackages() {
      return (await rows(sql`SELECT * FROM registry_packages ORDER BY name`)).map(toPackage);
    },
    async listVersions(name) {
      return (
        await rows(sql`SELECT * FROM registry_versions WHERE name = ${name} AND NOT unpublished
          ORDER BY published_at, version`)
      ).map(toVersion);
    },
    async getVersion(name, version) {
      const [row] = await rows(
        sql`SELECT * FROM registry_versions WHERE name = ${name} AND version = ${version} AND NOT unpublished`,
      );
      return row ? toVersion(row) : undefined;
    },
    async insertVersion(record, tags) {
      await sql.begin(async (tx) => {
        await tx`INSERT INTO registry_packages VALUES (${record.name}, ${JSON.stringify([record.publisher])}, '{}',
          ${record.publishedAt}, ${record.publishedAt}) ON CONFLICT (name) DO NOTHING`;
        const [row] = await tx`SELECT * FROM registry_packages WHERE name = ${record.name} FOR UPDATE`;
        const pkg = toPackage(row as Row);
        if (!pkg.owners.includes(record.publisher)) {
          throw new BuntimeError("BUNTIME_ERR_REGISTRY_NOT_OWNER", {
            user: record.publisher,
            package: record.name,
          });
        }
        const taken =
          await tx`SELECT 1 FROM registry_versions WHERE name = ${record.name} AND version = ${record.version}`;
        if (taken.length > 0) {
          throw new BuntimeError("BUNTIME_ERR_REGISTRY_VERSION_EXISTS", {
            package: record.name,
            version: record.version,
          });
        }
        await tx`INSERT INTO registry_versions (name, version, record, published_at) VALUES (${record.name},
          ${record.version}, ${JSON.stringify(record)}, ${record.publishedAt})`;
        await addPostgresVersion(tx, record);
        const distTags = { ...pkg.distTags };
        for (const tag of tags) distTags[tag] = record.version;
        await writePackage(tx, pkg, distTags, pkg.owners);
      });
    },
    async setDistTag(name, tag, version) {
      await withLockedPackage(sql, name, (tx, pkg) =>
        writePackage(tx, pkg, { ...pkg.distTags, [tag]: version }, pkg.owners),
      );
    },
    async removeDistTag(name, tag) {
      await withLockedPackage(sql, name, (tx, pkg) => {
        const { [tag]: _removed, ...rest } = pkg.distTags;
        return writePackage(tx, pkg, rest, pkg.owners);
      });
    },
    async setDeprecated(name, version, message) {
      await withLockedPackage(sql, name, async (tx, pkg) => {
        await tx`UPDATE registry_versions SET deprecated = ${message} WHERE name = ${name} AND version = ${version}`;
        await writePackage(tx, pkg, pkg.distTags, pkg.owners);
      });
    },
    async unpublishVersion(name, version) {
      await withLockedPackage(sql, name, async (tx, pkg) => {
        await tx`UPDATE registry_versions SET unpublished = TRUE WHERE name = ${name} AND version = ${version}`;
        await removePostgresVersion(tx, name, version);
        await writePackage(tx, pkg, tagsWithout(pkg.distTags, version), pkg.owners);
      });
    },
    async setOwners(name, owners) {
      await withLockedPackage(sql, name, (tx, pkg) => writePackage(tx, pkg, pkg.distTags, owners));
    },
    async searchPackages(words) {
      return searchPostgres(sql, words);
    },
    queryPackages,
    async addDownloads(name, version, day, count) {
      await sql.begin(async (tx) => {
        await tx`INSERT INTO registry_downloads VALUES (${name}, ${version}, ${day}, ${count})
          ON CONFLICT (name, version, day) DO UPDATE SET count = registry_downloads.count + excluded.count`;
        await addPostgresDownloads(tx, name, count);
      });
    },
    async downloadsByVersion(name) {
      const found = await rows(sql`SELECT version, sum(count)::bigint AS n FROM registry_downloads
        WHERE name = ${name} GROUP BY version`);
      return Object.fromEntries(found.map((row) => [String(row.version), Number(row.n)]));
    },
    async downloadTotals() {
      const found = await rows(
        sql`SELECT name, sum(count)::bigint AS n FROM registry_downloads GROUP BY name`,
      );
      return new Map(found.map((row) => [String(row.name), Number(row.n)]));
    },
    async addPublisherKey(key) {
      await sql`INSERT INTO registry_publisher_keys VALUES (${key.keyid}, ${key.user}, ${key.publicKey},
        ${key.createdAt})`;
    },
    async listPublisherKeys(user) {
      return (
        await rows(sql`SELECT * FROM registry_publisher_keys WHERE user_name = ${user} ORDER BY created_at`)
      ).map(toPublisherKey);
    },
    async referencedBlobs() {
      const found = await rows(sql`SELECT record FROM registry_versions WHERE NOT unpublished`);
      return new Set(found.map((row) => toVersion(row).blobKey));
    },
    async close() {},
  };
}
