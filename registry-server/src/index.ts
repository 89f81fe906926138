/**
 * @buntime/registry-server: Buntime's self-hosted plugin registry. It speaks the subset of
 * the npm registry protocol that `npm` and `bun` use (login, publish, packuments, tarballs,
 * dist-tags, deprecate, unpublish, search, signing keys), signs every version the npm way,
 * and adds a marketplace API for browsing plugins. Storage is two small interfaces with an
 * embedded default (SQLite + files) and a PostgreSQL backend for several nodes. It can proxy
 * and cache an upstream registry (uplinks) and answers `npm audit` from a local advisory list.
 */

export type { Advisory } from "./audit/advisories.ts";
export { readAdvisoryFile } from "./audit/advisories.ts";
export type { RegistryInvocation } from "./config/load.ts";
export { loadRegistrySettings } from "./config/load.ts";
export { startOptionsOf } from "./config/open.ts";
export type { RegistrySettings, UplinkSettings } from "./config/schema.ts";
export { registrySettingsJsonSchema, registrySettingsSchema } from "./config/schema.ts";
export type {
  Caller,
  RegistryEnv,
  RegistryServerOptions,
  ResolvedRegistryOptions,
} from "./context.ts";
export { createConsoleLogger } from "./http/console-logger.ts";
export type { TarballLimits } from "./publish/inspect-tarball.ts";
export type { PublishTarballOptions } from "./publish/seed.ts";
export type { RegistryServer } from "./server.ts";
export { createRegistryServer } from "./server.ts";
export type { SigningKeyFile } from "./signing/key-file.ts";
export type { RegistryKey } from "./signing/registry-signer.ts";
export type { RunningRegistry, StartRegistryOptions } from "./start.ts";
export { runRegistryCommand, signUpOpenByDefault, startRegistry } from "./start.ts";
export { createFsBlobs } from "./storage/fs-blobs.ts";
export { createPostgresBlobs } from "./storage/postgres-blobs.ts";
export { createPostgresMetadata } from "./storage/postgres-metadata.ts";
export { openPostgresStorage } from "./storage/postgres-storage.ts";
export { createS3Blobs } from "./storage/s3-blobs.ts";
export { createSqliteMetadata } from "./storage/sqlite-metadata.ts";
export { openSqliteStorage } from "./storage/sqlite-storage.ts";
export { sweepOrphanBlobs } from "./storage/sweep.ts";
export type {
  BlobStore,
  MetadataStore,
  PackageRecord,
  PublisherKey,
  RegistryStorage,
  Signature,
  TokenRecord,
  TokenScope,
  UserRecord,
  VersionRecord,
} from "./storage/types.ts";
export type { UplinkOptions } from "./uplinks/uplinks.ts";
