import type { MetadataStore, PackageRecord, VersionRecord } from "../storage/types.ts";

/** A version as the catalog keeps it: the record without its readme, which no list shows. */
export type CatalogVersion = Omit<VersionRecord, "readme">;

/** A package as the search and the marketplace see it. */
export interface CatalogEntry {
  pkg: PackageRecord;
  /** Live versions, oldest first (shared between requests: never modify). */
  versions: readonly CatalogVersion[];
  /** The `latest` version (or the newest one). */
  latest: CatalogVersion;
  downloads: number;
}

/** The packages the search and the marketplace browse, read cheaply on every request. */
export interface Catalog {
  /**
   * Every package with at least one live version. Packages, tags, owners and downloads are
   * read fresh (two metadata queries); versions are read only for packages that changed since
   * this catalog last read them.
   */
  entries(): Promise<CatalogEntry[]>;
}

interface CachedVersions {
  /** The package's `modifiedAt` when the versions were read. */
  modifiedAt: string;
  versions: Promise<readonly CatalogVersion[]>;
}

function withoutReadme({ readme: _readme, ...version }: VersionRecord): CatalogVersion {
  return version;
}

/**
 * A catalog over `metadata` that keeps each package's live versions keyed by the package's
 * `modifiedAt`. Every write to a package, its versions or its tags gives it a later
 * `modifiedAt` in the same transaction, on any node sharing the store, so versions read after
 * seeing a `modifiedAt` are at least as new as it, and a package whose `modifiedAt` is
 * unchanged has unchanged versions. Packages no longer listed are dropped.
 */
export function createCatalog(metadata: MetadataStore): Catalog {
  const cache = new Map<string, CachedVersions>();

  const versionsOf = (pkg: PackageRecord): Promise<readonly CatalogVersion[]> => {
    const cached = cache.get(pkg.name);
    if (cached?.modifiedAt === pkg.modifiedAt) return cached.versions;
    // Keyed by the modifiedAt read before the versions: never older than what they show.
    const entry: CachedVersions = {
      modifiedAt: pkg.modifiedAt,
      versions: metadata.listVersions(pkg.name).then((versions) => versions.map(withoutReadme)),
    };
    cache.set(pkg.name, entry);
    entry.versions.catch(() => {
      if (cache.get(pkg.name) === entry) cache.delete(pkg.name);
    });
    return entry.versions;
  };

  return {
    async entries() {
      const [packages, totals] = await Promise.all([metadata.listPackages(), metadata.downloadTotals()]);
      const listed = new Set(packages.map((pkg) => pkg.name));
      for (const name of cache.keys()) if (!listed.has(name)) cache.delete(name);
      // changed packages are read side by side, not one query after another
      const versionLists = await Promise.all(packages.map(versionsOf));
      const entries: CatalogEntry[] = [];
      for (const [index, pkg] of packages.entries()) {
        const versions = versionLists[index] as readonly CatalogVersion[];
        const latest = versions.find((v) => v.version === pkg.distTags.latest) ?? versions.at(-1);
        if (latest) entries.push({ pkg, versions, latest, downloads: totals.get(pkg.name) ?? 0 });
      }
      return entries;
    },
  };
}

/** A string list field of a manifest (`keywords`, `categories`), lowercased. */
export function listField(manifest: Record<string, unknown>, field: string): string[] {
  const value = manifest[field];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
