/**
 * @buntime/distro: Buntime distributions. The `buntime.distro.json` schema (and its JSON
 * Schema), locking a manifest against a registry into `distro.lock.json`, building a
 * self-contained folder from a lock, and verifying a built folder before a kernel starts on it.
 */
export { MANIFEST_SCHEMA_FILE, manifestJsonSchema } from "./json-schema.ts";
export type { LockOptions } from "./lock/lock.ts";
export { lockDistribution } from "./lock/lock.ts";
export type { Unsatisfiable, Want } from "./lock/resolve.ts";
export { formatProblems } from "./lock/resolve.ts";
export type { DistroLock, LockedPlugin } from "./lock/schema.ts";
export {
  canonicalJson,
  checkLockFresh,
  distroLockSchema,
  LOCK_FILE,
  manifestHash,
  readLock,
  serializeLock,
} from "./lock/schema.ts";
export type { DistroManifest, DistroManifestInput } from "./manifest.ts";
export {
  DISTRO_SIGNATURE_POLICIES,
  distroManifestSchema,
  MANIFEST_FILE,
  parseManifest,
  pluginConfig,
  pluginRange,
  readManifest,
  readManifestInput,
  writeManifest,
} from "./manifest.ts";
