import type { RegistryContext } from "../context.ts";
import type { PackageRecord, VersionRecord } from "../storage/types.ts";

/** A package as the search and the marketplace see it. */
export interface CatalogEntry {
  pkg: PackageRecord;
  /** Live versions, oldest first. */
  versions: VersionRecord[];
  /** The `latest` version (or the newest one). */
  latest: VersionRecord;
  downloads: number;
}

/** Every package with at least one live version. */
export async function loadCatalog(ctx: RegistryContext): Promise<CatalogEntry[]> {
  const [packages, totals] = await Promise.all([ctx.metadata.listPackages(), ctx.metadata.downloadTotals()]);
  const entries: CatalogEntry[] = [];
  for (const pkg of packages) {
    const versions = await ctx.metadata.listVersions(pkg.name);
    const latest = versions.find((v) => v.version === pkg.distTags.latest) ?? versions.at(-1);
    if (latest) entries.push({ pkg, versions, latest, downloads: totals.get(pkg.name) ?? 0 });
  }
  return entries;
}

/** A string list field of a manifest (`keywords`, `categories`), lowercased. */
export function listField(manifest: Record<string, unknown>, field: string): string[] {
  const value = manifest[field];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** How well `entry` matches free-text `terms` (0 = no match). */
export function textScore(entry: CatalogEntry, terms: string[]): number {
  if (terms.length === 0) return 1;
  const name = entry.pkg.name.toLowerCase();
  const description = String(entry.latest.manifest.description ?? "").toLowerCase();
  const keywords = listField(entry.latest.manifest, "keywords").map((k) => k.toLowerCase());
  let score = 0;
  for (const term of terms) {
    if (name === term || name.endsWith(`/${term}`)) score += 10;
    else if (name.includes(term)) score += 5;
    else if (keywords.includes(term)) score += 3;
    else if (description.includes(term)) score += 1;
    else return 0;
  }
  return score;
}
