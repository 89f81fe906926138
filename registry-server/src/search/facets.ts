import { listField } from "../catalog/catalog.ts";
import { isPlugin, kernelRange } from "../marketplace/views.ts";
import type { SqlDialect } from "../storage/schema.ts";
import type { VersionRecord } from "../storage/types.ts";
import { HIGHEST_KEY, type KeyInterval, kernelBounds, LOWEST_KEY, versionKeyOf } from "./version-key.ts";

/**
 * What one live version contributes to filtered search: its sort key, whether it is a plugin
 * and for which kernels, and its keywords and categories (lowercased, as every filter compares
 * them). Stored in the write's transaction, one row per version (plus one per interval and
 * term), so a search filters, sorts and pages in SQL instead of reading every package.
 */
export interface VersionFacets {
  versionKey: string;
  plugin: boolean;
  /** The kernel range as declared (null for none or a non-string). */
  kernel: string | null;
  /**
   * One row per distinct `||` alternative (each row also carries the version's key, publish
   * time and range: the compatibility segments are built from the exact ones, and semver
   * decides the others); none when the range does not parse (it admits no kernel).
   */
  intervals: (KeyInterval & { exact: boolean })[];
  keywords: string[];
  categories: string[];
}

/**
 * PostgreSQL text cannot hold NUL, so a value with one is left out of the facets on both
 * backends (a query value with one matches nothing, see package-query.ts).
 */
const storable = (value: string) => !value.includes("\u0000");
const lowered = (values: string[]) => [
  ...new Set(values.filter(storable).map((value) => value.toLowerCase())),
];

/** The facets of a version record. */
export function versionFacets(record: VersionRecord): VersionFacets {
  const plugin = isPlugin(record);
  const range = plugin ? kernelRange(record) : undefined;
  // a range with NUL does not parse either: it admits no kernel, stored or not
  const kernel = range !== undefined && storable(range) ? range : null;
  const bounds = kernel === null ? undefined : kernelBounds(kernel);
  const intervals = bounds?.exact
    ? [...new Map(bounds.intervals.map((i) => [JSON.stringify(i), { ...i, exact: true }])).values()]
    : // an inexact range is one catch-all row that only semver itself may accept (see version-key.ts)
      bounds
      ? [{ lo: LOWEST_KEY, loInclusive: true, hi: HIGHEST_KEY, hiInclusive: true, exact: false }]
      : [];
  return {
    versionKey: versionKeyOf(record.version).key,
    plugin,
    kernel,
    intervals,
    keywords: lowered(listField(record.manifest, "keywords")),
    categories: lowered(listField(record.manifest, "categories")),
  };
}

/**
 * The facet tables, created if missing. `search_packages` holds one row per package with a
 * live version: the version the catalogue shows (`latest`), the one the marketplace shows when
 * no kernel is asked (`plugin_version`), total downloads and the package's modified time.
 * `search_kernel` holds every plugin version's range as intervals; `search_compat` each
 * package's compatibility segments (see compat.ts) built from the exact ones, each carrying
 * the package's `search_packages` columns so a kernel's list reads that one table.
 */
export function facetsSchema({ prefix: p, boolean, counter, binary }: SqlDialect): string {
  return `
CREATE TABLE IF NOT EXISTS ${p}search_packages (
  name TEXT PRIMARY KEY, latest TEXT NOT NULL, plugin_version TEXT, downloads ${counter} NOT NULL,
  modified_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${p}search_versions (
  name TEXT NOT NULL, version TEXT NOT NULL, version_key TEXT ${binary} NOT NULL, published_at TEXT NOT NULL,
  plugin ${boolean} NOT NULL, kernel TEXT, PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS ${p}search_terms (
  kind TEXT NOT NULL, term TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
  PRIMARY KEY (kind, term, name, version)
);
CREATE INDEX IF NOT EXISTS ${p}search_terms_version ON ${p}search_terms (name, version);
CREATE TABLE IF NOT EXISTS ${p}search_kernel (
  name TEXT NOT NULL, version TEXT NOT NULL, version_key TEXT ${binary} NOT NULL, published_at TEXT NOT NULL,
  kernel TEXT NOT NULL, lo TEXT ${binary} NOT NULL, lo_inclusive ${boolean} NOT NULL, hi TEXT ${binary} NOT NULL,
  hi_inclusive ${boolean} NOT NULL, exact ${boolean} NOT NULL
);
CREATE INDEX IF NOT EXISTS ${p}search_kernel_version ON ${p}search_kernel (name, version);
-- the few ranges only semver can decide are found without a scan
CREATE INDEX IF NOT EXISTS ${p}search_kernel_inexact ON ${p}search_kernel (exact, kernel);
CREATE TABLE IF NOT EXISTS ${p}search_compat (
  name TEXT NOT NULL, version TEXT NOT NULL, version_key TEXT ${binary} NOT NULL, published_at TEXT NOT NULL,
  lo TEXT ${binary} NOT NULL, hi TEXT ${binary} NOT NULL,
  latest TEXT NOT NULL, downloads ${counter} NOT NULL, modified_at TEXT NOT NULL
);
-- covering: a package's segments are checked against a kernel without reading the table
CREATE INDEX IF NOT EXISTS ${p}search_compat_name ON ${p}search_compat (
  name, lo, hi, version, latest, downloads, modified_at
);
CREATE INDEX IF NOT EXISTS ${p}search_packages_downloads ON ${p}search_packages (downloads DESC, name ${binary});
CREATE INDEX IF NOT EXISTS ${p}search_packages_modified ON ${p}search_packages (modified_at ${binary} DESC, name ${binary});
CREATE INDEX IF NOT EXISTS ${p}search_packages_name ON ${p}search_packages (name ${binary});
`;
}

/** The facet tables a full reindex empties. */
export const FACET_TABLES = [
  "search_packages",
  "search_versions",
  "search_terms",
  "search_kernel",
  "search_compat",
];
