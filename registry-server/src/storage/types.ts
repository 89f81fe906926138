/**
 * The two small storage contracts every registry backend implements: metadata (users, tokens,
 * packages, versions, tags, downloads) and blobs (tarball bytes). The server never reaches
 * past them, so SQLite + filesystem and PostgreSQL are interchangeable.
 */

import type { PackagePage, PackageQuery } from "../search/query.ts";

/** What a token may do: `read` < `publish` < `admin`. */
export type TokenScope = "read" | "publish" | "admin";

/** A registry user. */
export interface UserRecord {
  name: string;
  /** `Bun.password` hash; never the password. */
  passwordHash: string;
  email: string | null;
  /** Admins may create admin tokens and act on any package. */
  admin: boolean;
  createdAt: string;
}

/** A token as stored: only the sha256 of its secret is kept. */
export interface TokenRecord {
  id: string;
  user: string;
  /** A label the user chose, e.g. `ci` or `npm login`. */
  label: string;
  /** Hex sha256 of the secret token string. */
  hash: string;
  scope: TokenScope;
  createdAt: string;
  revokedAt: string | null;
}

/** A package, whatever its versions. */
export interface PackageRecord {
  name: string;
  owners: string[];
  distTags: Record<string, string>;
  createdAt: string;
  /**
   * Strictly later after every write to the package, its versions or its tags (in the same
   * transaction): the packument cache and the search catalog reuse what they read while it is
   * unchanged.
   */
  modifiedAt: string;
}

/** A signature in npm's `dist.signatures` shape. */
export interface Signature {
  keyid: string;
  sig: string;
}

/** One published version. Immutable once stored, but for `deprecated`. */
export interface VersionRecord {
  name: string;
  version: string;
  /** The version document (package.json fields as published), without `dist`. */
  manifest: Record<string, unknown>;
  integrity: string;
  shasum: string;
  /** Tarball size in bytes. */
  size: number;
  unpackedSize: number;
  fileCount: number;
  /** Where the tarball lives in the blob store. */
  blobKey: string;
  publishedAt: string;
  publisher: string;
  deprecated: string | null;
  readme: string;
  registrySignature: Signature;
  publisherSignature: Signature | null;
}

/** A publisher's ed25519 public key. */
export interface PublisherKey {
  keyid: string;
  user: string;
  /** Base64 SPKI DER. */
  publicKey: string;
  createdAt: string;
}

/** Users, tokens, packages, versions, tags, downloads and settings. */
export interface MetadataStore {
  /** Returns the stored value for `key`, storing `value` first when there is none (race safe). */
  settingOrInit(key: string, value: string): Promise<string>;

  /** Stores a new user; false when the name is taken. */
  createUser(user: UserRecord): Promise<boolean>;
  getUser(name: string): Promise<UserRecord | undefined>;
  countUsers(): Promise<number>;

  createToken(token: TokenRecord): Promise<void>;
  /** The live (not revoked) token with this hash. */
  findToken(hash: string): Promise<TokenRecord | undefined>;
  listTokens(user: string): Promise<TokenRecord[]>;
  /** Marks the token revoked; false when the user has no such live token. */
  revokeToken(user: string, id: string): Promise<boolean>;

  getPackage(name: string): Promise<PackageRecord | undefined>;
  listPackages(): Promise<PackageRecord[]>;
  /** Live versions, oldest first. */
  listVersions(name: string): Promise<VersionRecord[]>;
  getVersion(name: string, version: string): Promise<VersionRecord | undefined>;
  /**
   * Atomically records a new version: creates the package owned by the publisher when new,
   * refuses a publisher who is not an owner (`BUNTIME_ERR_REGISTRY_NOT_OWNER`), refuses a
   * version that exists or existed (`BUNTIME_ERR_REGISTRY_VERSION_EXISTS`) and points `tags`
   * at it. Either everything is stored or nothing is.
   */
  insertVersion(record: VersionRecord, tags: string[]): Promise<void>;
  setDistTag(name: string, tag: string, version: string): Promise<void>;
  removeDistTag(name: string, tag: string): Promise<void>;
  setDeprecated(name: string, version: string, message: string | null): Promise<void>;
  /** Removes a version for good (its number stays reserved) and the tags that point at it. */
  unpublishVersion(name: string, version: string): Promise<void>;
  setOwners(name: string, owners: string[]): Promise<void>;

  /**
   * Full-text search: every package whose indexed document (name, and its `latest` version's
   * keywords, categories, description and readme opening) holds each of `words` as a word
   * prefix, with its rank (higher is better; only comparable within one answer). `words` are
   * letters and digits only (see `queryWords`); none gives an empty map.
   */
  searchPackages(words: string[]): Promise<Map<string, number>>;
  /**
   * A filtered, sorted page of packages, answered in SQL (full-text match, keywords,
   * categories, owners, plugins compatible with a kernel, order and page in one statement),
   * without reading every package. Bad input throws `BUNTIME_ERR_REGISTRY_SEARCH_INVALID`.
   */
  queryPackages(query: PackageQuery): Promise<PackagePage>;

  /** Adds `count` downloads of name@version on `day` (YYYY-MM-DD). */
  addDownloads(name: string, version: string, day: string, count: number): Promise<void>;
  /** Downloads per version of one package. */
  downloadsByVersion(name: string): Promise<Record<string, number>>;
  /** Downloads per package. */
  downloadTotals(): Promise<Map<string, number>>;

  addPublisherKey(key: PublisherKey): Promise<void>;
  listPublisherKeys(user: string): Promise<PublisherKey[]>;

  /** Blob keys referenced by any version (for sweeping orphans). */
  referencedBlobs(): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Tarball bytes by key. */
export interface BlobStore {
  /** Stores the bytes durably (fsynced) before resolving. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Blob | undefined>;
  delete(key: string): Promise<void>;
  /** Every stored key with its modification time (ms since epoch). */
  list(): Promise<{ key: string; modifiedAt: number }[]>;
  close(): Promise<void>;
}

/** The pair of stores a registry runs on. */
export interface RegistryStorage {
  metadata: MetadataStore;
  blobs: BlobStore;
}
