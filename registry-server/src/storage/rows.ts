import type {
  PackageRecord,
  PublisherKey,
  TokenRecord,
  TokenScope,
  UserRecord,
  VersionRecord,
} from "./types.ts";

/** Column values as the SQL backends return them (snake_case, JSON as text or object). */
export type Row = Record<string, unknown>;

function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** A `users` row as a UserRecord. */
export function toUser(row: Row): UserRecord {
  return {
    name: String(row.name),
    passwordHash: String(row.password_hash),
    email: row.email == null ? null : String(row.email),
    admin: Boolean(row.admin),
    createdAt: String(row.created_at),
  };
}

/** A `tokens` row as a TokenRecord. */
export function toToken(row: Row): TokenRecord {
  return {
    id: String(row.id),
    user: String(row.user_name),
    label: String(row.label),
    hash: String(row.hash),
    scope: String(row.scope) as TokenScope,
    createdAt: String(row.created_at),
    revokedAt: row.revoked_at == null ? null : String(row.revoked_at),
  };
}

/** A `packages` row as a PackageRecord. */
export function toPackage(row: Row): PackageRecord {
  return {
    name: String(row.name),
    owners: json<string[]>(row.owners),
    distTags: json<Record<string, string>>(row.dist_tags),
    createdAt: String(row.created_at),
    modifiedAt: String(row.modified_at),
  };
}

/** A `versions` row as a VersionRecord (the record is kept whole as JSON). */
export function toVersion(row: Row): VersionRecord {
  const record = json<VersionRecord>(row.record);
  return { ...record, deprecated: row.deprecated == null ? null : String(row.deprecated) };
}

/** A `publisher_keys` row as a PublisherKey. */
export function toPublisherKey(row: Row): PublisherKey {
  return {
    keyid: String(row.keyid),
    user: String(row.user_name),
    publicKey: String(row.public_key),
    createdAt: String(row.created_at),
  };
}

/** The tags left after removing every tag that points at `version`. */
export function tagsWithout(tags: Record<string, string>, version: string): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== version));
}

/**
 * A modification time strictly after `previous`, so every change to a package gets a new
 * `modifiedAt` even within one millisecond (packument caches and ETags key on it).
 */
export function nextModified(previous: string): string {
  const now = Date.now();
  const last = Date.parse(previous);
  return new Date(Number.isNaN(last) || now > last ? now : last + 1).toISOString();
}
