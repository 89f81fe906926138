import { satisfiesRange } from "@buntime/sdk";
import semver from "semver";
import type { CatalogEntry, CatalogVersion } from "../../src/catalog/catalog.ts";
import { isPlugin, kernelRange } from "../../src/marketplace/views.ts";

/**
 * The version of `entry` a list shows, decided by semver in JavaScript (the oracle the SQL answers
 * are checked against): with no kernel, the `latest` tag when it is a plugin; else the highest
 * live plugin version that runs on `kernel`.
 */
export function newestCompatible(
  entry: CatalogEntry,
  kernel: string | undefined,
): CatalogVersion | undefined {
  if (kernel === undefined && isPlugin(entry.latest)) return entry.latest;
  const fits = (v: CatalogVersion) => {
    if (!isPlugin(v)) return false;
    if (kernel === undefined) return true;
    const range = kernelRange(v);
    return range !== undefined && satisfiesRange(kernel, range);
  };
  return entry.versions.filter(fits).sort((a, b) => semver.rcompare(a.version, b.version))[0];
}
