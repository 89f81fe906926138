/**
 * A client for Buntime's registry (and other npm-compatible ones): packuments with ETag
 * caching, timeouts and retried reads, tokens from `.npmrc`, version resolution against a kernel version, integrity-checked downloads,
 * publishing, sign-in and marketplace search.
 */
export type {
  DownloadProgress,
  PublishOptions,
  RegistryClient,
  RegistryClientOptions,
} from "./client.ts";
export { createRegistryClient } from "./client.ts";
export { packagePath } from "./http.ts";
export type { NpmrcOptions, NpmrcToken } from "./npmrc.ts";
export { npmrcFiles, npmrcToken, registryKeys } from "./npmrc.ts";
export { resolveVersion } from "./resolve.ts";
export type {
  CachedPackument,
  Packument,
  PackumentCache,
  PluginSummary,
  VersionDist,
  VersionDocument,
} from "./types.ts";
