/**
 * A client for Buntime's registry (and other npm-compatible ones): packuments with ETag
 * caching, version resolution against a kernel version, integrity-checked downloads,
 * publishing, sign-in and marketplace search.
 */
export type {
  DownloadProgress,
  PublishOptions,
  RegistryClient,
  RegistryClientOptions,
} from "./client.ts";
export { createRegistryClient } from "./client.ts";
export { resolveVersion } from "./resolve.ts";
export type {
  CachedPackument,
  Packument,
  PackumentCache,
  PluginSummary,
  VersionDist,
  VersionDocument,
} from "./types.ts";
