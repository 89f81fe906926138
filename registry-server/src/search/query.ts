import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import semver from "semver";
import { z } from "zod";
import type { PackageRecord, VersionRecord } from "../storage/types.ts";

/** The orders a package query can ask for. */
export const PACKAGE_SORTS = ["relevance", "downloads", "updated", "name"] as const;
/** How a package query orders its answer; every order ends with the name (byte order) to break ties. */
export type PackageSort = (typeof PACKAGE_SORTS)[number];

/**
 * A filtered, sorted page of packages, answered by the metadata store in SQL.
 *
 * @example
 * // the marketplace's "compatible with this kernel" list, most downloaded first
 * await metadata.queryPackages({ text: "auth", kernel: "0.4.0", categories: ["security"], sort: "downloads", limit: 20 });
 */
export interface PackageQuery {
  /**
   * Free text, searched as word prefixes in the full-text index (see `queryWords`). Blank
   * matches every package; text without letters or digits matches none.
   */
  text?: string;
  /** Every one must be a keyword of the shown version (compared lowercased). */
  keywords?: string[];
  /** Every one must be a category of the shown version (compared lowercased). */
  categories?: string[];
  /** Every one must be an owner of the package. */
  owners?: string[];
  /**
   * Only plugins, each shown at its plugin version: the `latest` version when it is a plugin,
   * else its highest plugin version. Without this the shown version is `latest`.
   * @default false
   */
  plugins?: boolean;
  /**
   * Only plugins with a version whose `buntime.kernel` range admits this kernel version (as
   * `satisfiesRange` decides), each shown at the highest such version. Implies `plugins`.
   */
  kernel?: string;
  /** @default "relevance" (rank, then downloads, then name; with blank text, downloads then name) */
  sort?: PackageSort;
  /** @default 0 */
  offset?: number;
  /**
   * Where the previous page ended: its `nextCursor`, with the same query otherwise. Unlike an
   * offset, a cursor neither repeats nor skips a package when others are published between pages.
   */
  cursor?: string;
  /** @default 20 */
  limit?: number;
}

/** One package of a page. */
export interface PackageHit {
  pkg: PackageRecord;
  /** The version the catalogue shows: the `latest` tag's, else the newest published. */
  latest: VersionRecord;
  /** The version the query shows (`latest`, or the plugin version chosen by `plugins` / `kernel`). */
  version: VersionRecord;
  /** Downloads of every version, ever. */
  downloads: number;
  /**
   * Full-text rank, higher is better, comparable within one query; 1 when there is no text or
   * the order is not `relevance` (ranking every match is the costly part of a text search).
   */
  rank: number;
}

/** A page of a package query. */
export interface PackagePage {
  /** How many packages match, over all pages. */
  total: number;
  /** The best rank among all matches (npm scales its scores by it); 1 when none match. */
  topRank: number;
  hits: PackageHit[];
  /** The `cursor` of the next page, when this page is full. */
  nextCursor?: string;
}

/** The sort values of the last hit of a page, which the next page starts after. */
export interface PageCursor {
  sort: PackageSort;
  rank: number;
  downloads: number;
  modifiedAt: string;
  name: string;
}

const cursorSchema = z.tuple([z.enum(PACKAGE_SORTS), z.number(), z.number(), z.string(), z.string()]);

/** A cursor as the opaque string pages carry. */
export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.rank, c.downloads, c.modifiedAt, c.name])).toString(
    "base64url",
  );
}

function decodeCursor(text: string, sort: PackageSort): PageCursor {
  let parsed: ReturnType<typeof cursorSchema.safeParse> | undefined;
  try {
    parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
  } catch {}
  if (!parsed?.success || parsed.data[0] !== sort) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SEARCH_INVALID", {
      details: `cursor: not a cursor of a search sorted by ${sort}`,
    });
  }
  const [, rank, downloads, modifiedAt, name] = parsed.data;
  return { sort, rank, downloads, modifiedAt, name };
}

const terms = z.array(z.string().max(256, "at most 256 characters")).max(128, "at most 128 values");

/** Bounds every input, since anyone who may read may search. */
const packageQuerySchema = z
  .object({
    text: z.string().max(256, "at most 256 characters").default(""),
    keywords: terms.default([]),
    categories: terms.default([]),
    owners: terms.default([]),
    plugins: z.boolean().default(false),
    kernel: z
      .string()
      .refine((value) => semver.valid(value) !== null, "must be a version such as 1.2.0")
      .optional(),
    sort: z.enum(PACKAGE_SORTS).default("relevance"),
    offset: z.number().int().min(0).max(1_000_000).default(0),
    cursor: z.string().max(2048, "at most 2048 characters").optional(),
    limit: z.number().int().min(1).max(250).default(20),
  })
  .strict();

/** A package query with its defaults applied. */
export type ResolvedPackageQuery = Omit<z.output<typeof packageQuerySchema>, "cursor"> & {
  after?: PageCursor;
};

/**
 * Validates a query and applies its defaults; throws `BUNTIME_ERR_REGISTRY_SEARCH_INVALID`
 * naming the field. Keywords and categories are lowercased and deduplicated.
 */
export function resolvePackageQuery(query: PackageQuery): ResolvedPackageQuery {
  const parsed = packageQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SEARCH_INVALID", { details: formatZodIssues(parsed.error) });
  }
  const lower = (values: string[]) => [...new Set(values.map((value) => value.toLowerCase()))];
  const { cursor, ...resolved } = parsed.data;
  if (cursor !== undefined && resolved.offset > 0) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SEARCH_INVALID", {
      details: "give a cursor or an offset, not both",
    });
  }
  return {
    ...resolved,
    after: cursor === undefined ? undefined : decodeCursor(cursor, resolved.sort),
    keywords: lower(resolved.keywords),
    categories: lower(resolved.categories),
    owners: [...new Set(resolved.owners)],
    plugins: resolved.plugins || resolved.kernel !== undefined,
  };
}
