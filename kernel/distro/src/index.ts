/**
 * @buntime/distro: Buntime distributions. The `buntime.distro.json` schema (and its JSON
 * Schema), locking a manifest against a registry into `distro.lock.json`, building a
 * self-contained folder from a lock, and verifying a built folder before a kernel starts on it.
 */

export { appEnvVariable, writeAppEnv } from "./app-env.ts";
export { archiveBuild } from "./build/archive.ts";
export type { BuildOptions, BuildResult, Runner } from "./build/build.ts";
export { buildDistribution } from "./build/build.ts";
export { imageNameOf } from "./build/docker.ts";
export { buildImage } from "./build/image.ts";
export {
  BUILD_FILES,
  builtAppDir,
  builtAppTarballPath,
  builtHome,
  builtPluginDir,
  builtTarballPath,
} from "./build/layout.ts";
export type { TarballSource } from "./build/tarballs.ts";
export { cachedTarballs } from "./build/tarballs.ts";
export type { VendorRoot } from "./build/vendor.ts";
export type { LockChange, OutdatedRow, PermissionChange } from "./compare.ts";
export { diffLocks, outdatedPlugins, permissionChange, permissionItems } from "./compare.ts";
export { exportedApps } from "./export-apps.ts";
export { MANIFEST_SCHEMA_FILE, manifestJsonSchema } from "./json-schema.ts";
export type { LockOptions } from "./lock/lock.ts";
export { lockDistribution } from "./lock/lock.ts";
export type { Unsatisfiable, Want } from "./lock/resolve.ts";
export { formatProblems } from "./lock/resolve.ts";
export type { WantedApp } from "./lock/resolve-apps.ts";
export type { DistroLock, LockedApp, LockedPackage, LockedPlugin } from "./lock/schema.ts";
export {
  canonicalJson,
  checkLockFresh,
  distroLockSchema,
  LOCK_FILE,
  manifestHash,
  readLock,
  serializeLock,
} from "./lock/schema.ts";
export type { LockAndBuildOptions } from "./lock-and-build.ts";
export { lockAndBuild } from "./lock-and-build.ts";
export type { AppSource, DistroManifest, DistroManifestInput } from "./manifest.ts";
export {
  appNameSchema,
  appSource,
  DISTRO_SIGNATURE_POLICIES,
  distroManifestSchema,
  distroPoolSchema,
  MANIFEST_FILE,
  parseManifest,
  pluginConfig,
  pluginRange,
  readManifest,
  readManifestInput,
  registryApps,
  writeManifest,
} from "./manifest.ts";
export { PROVENANCE_PATH, PROVENANCE_PLUGIN, provenancePlugin } from "./provenance.ts";
export type { PublisherKeyPair, Seeded, SeedTarget } from "./seed.ts";
export { FIRST_PARTY_PUBLISHER, homePublisherKey, publishFirstParty, seedFirstPartyPlugins } from "./seed.ts";
export type { ServeBuiltOptions } from "./serve.ts";
export { serveBuiltDistribution } from "./serve.ts";
export { distroStartConfig } from "./settings.ts";
export { formatTable } from "./table.ts";
export type { VerifiedBuild } from "./verify/verify-build.ts";
export { verifyBuild } from "./verify/verify-build.ts";
