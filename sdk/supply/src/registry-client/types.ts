import type { Signature } from "../signing/signatures.ts";

/** The `dist` of a version document, with Buntime's publisher signatures. */
export interface VersionDist {
  tarball: string;
  integrity: string;
  shasum?: string;
  signatures?: Signature[];
  publisherSignatures?: (Signature & { publisher?: string })[];
}

/** One version of a package as the registry serves it. */
export interface VersionDocument {
  name: string;
  version: string;
  description?: string;
  deprecated?: string;
  /** The plugin manifest, when the package is a plugin. */
  buntime?: { kernel?: string; dependencies?: Record<string, string>; [key: string]: unknown };
  dist: VersionDist;
  [key: string]: unknown;
}

/** A full packument: every version of a package and its dist-tags. */
export interface Packument {
  name: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, VersionDocument>;
  time?: Record<string, string>;
  [key: string]: unknown;
}

/** One cached packument, keyed by URL. */
export interface CachedPackument {
  etag: string;
  packument: Packument;
}

/** Where the client keeps packuments between calls (in memory by default; the CLI keeps them on disk). */
export interface PackumentCache {
  get(key: string): CachedPackument | undefined;
  set(key: string, value: CachedPackument): void;
}

/** A plugin in marketplace search results. */
export interface PluginSummary {
  name: string;
  version: string;
  description?: string;
  kernel?: string;
  downloads?: number;
  publisher?: string;
  signed?: { registry: boolean; publisher: boolean };
}
