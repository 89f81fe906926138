import { satisfiesRange } from "@buntime/sdk";
import { type Row, toPackage, toVersion } from "../storage/rows.ts";
import type { SqlDialect } from "../storage/schema.ts";
import type { PackageHit, PackagePage, PackageQuery, ResolvedPackageQuery } from "./query.ts";
import { resolvePackageQuery } from "./query.ts";
import { versionKeyOf } from "./version-key.ts";
import { queryWords } from "./words.ts";

/** How one SQL backend writes the parts of a package query that differ between them. */
export interface QueryDialect {
  sql: SqlDialect;
  /** The placeholder of the `index`th parameter (1-based; a placeholder may be used twice). */
  placeholder(index: number): string;
  /** The full-text query for `words` (letters and digits only) as the backend's syntax. */
  matchText(words: string[]): string;
  /** A select of `(name, rank)` of the packages matching the full-text query in `param`. */
  matching(param: string): string;
  /** A select of the strings of the JSON array in `param`. */
  jsonStrings(param: string): string;
  /** A select of `(name, version)` pairs from the JSON array of pairs in `param`. */
  jsonPairs(param: string): string;
  /** A condition: the JSON owners list in `column` holds the name in `param`. */
  hasOwner(column: string, param: string): string;
}

/** Runs one statement with positional parameters and returns its rows. */
export type RunSql = (text: string, params: unknown[]) => Promise<Row[]>;

interface KernelPlan {
  key: string;
  exact: boolean;
  /** Ranges semver itself accepted: those whose bounds are inexact, or all when the kernel is. */
  approved: string[];
}

/** The statement of one page: matches, with their total and top rank beside each row. */
function composePage(
  d: QueryDialect,
  q: ResolvedPackageQuery,
  words: string[] | undefined,
  kernel?: KernelPlan,
) {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return d.placeholder(params.length);
  };
  const t = (table: string) => `${d.sql.prefix}${table}`;
  const binary = d.sql.binary;
  let chosen = `SELECT name, latest AS version FROM ${t("search_packages")}`;
  if (kernel) {
    const k = bind(kernel.key);
    const fits = `(${kernel.exact ? "TRUE" : "FALSE"} AND b.exact AND (b.lo < ${k} OR (b.lo = ${k} AND b.lo_inclusive))
      AND (${k} < b.hi OR (${k} = b.hi AND b.hi_inclusive))) OR v.kernel IN (${d.jsonStrings(bind(JSON.stringify(kernel.approved)))})`;
    // the highest fitting version, ties (equal keys) going to the first published, as a stable semver sort does
    chosen = `SELECT name, version FROM (SELECT v.name AS name, v.version AS version, row_number() OVER
      (PARTITION BY v.name ORDER BY v.version_key DESC, v.published_at, v.version ${binary}) AS n
      FROM ${t("search_versions")} v JOIN ${t("search_kernel")} b ON b.name = v.name AND b.version = v.version
      WHERE v.plugin AND (${fits})) ranked WHERE n = 1`;
  } else if (q.plugins) {
    chosen = `SELECT name, plugin_version AS version FROM ${t("search_packages")} WHERE plugin_version IS NOT NULL`;
  }
  const filters = ["TRUE"];
  const term = (kind: string, value: string) =>
    `EXISTS (SELECT 1 FROM ${t("search_terms")} st WHERE st.kind = '${kind}' AND st.term = ${bind(value)}
      AND st.name = c.name AND st.version = c.version)`;
  for (const keyword of q.keywords) filters.push(term("k", keyword));
  for (const category of q.categories) filters.push(term("c", category));
  for (const owner of q.owners) {
    filters.push(
      `EXISTS (SELECT 1 FROM ${t("packages")} o WHERE o.name = c.name AND ${d.hasOwner("o.owners", bind(owner))})`,
    );
  }
  const rank = words ? "m.rank" : "1.0";
  const byName = `c.name ${binary}`;
  const order = {
    relevance: `${words ? "m.rank DESC, " : ""}p.downloads DESC, ${byName}`,
    downloads: `p.downloads DESC, ${byName}`,
    updated: `p.modified_at DESC, ${byName}`,
    name: byName,
  }[q.sort];
  const matched = words ? `, matched AS (${d.matching(bind(d.matchText(words)))})` : "";
  const text = `WITH chosen AS (${chosen})${matched}
    SELECT c.name AS name, c.version AS version, p.latest AS latest, p.downloads AS downloads, ${rank} AS rank,
      count(*) OVER () AS total, max(${rank}) OVER () AS top
    FROM chosen c JOIN ${t("search_packages")} p ON p.name = c.name
    ${words ? "JOIN matched m ON m.name = c.name" : ""}
    WHERE ${filters.join(" AND ")}
    ORDER BY ${order} LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`;
  return { text, params };
}

/**
 * Decides in JavaScript, with semver, the few ranges the SQL intervals cannot: every range
 * with an inexact bound, or every range when the kernel's own key is inexact.
 */
async function planKernel(d: QueryDialect, run: RunSql, kernel: string): Promise<KernelPlan> {
  const { key, exact } = versionKeyOf(kernel);
  const t = (table: string) => `${d.sql.prefix}${table}`;
  const ranges = exact
    ? await run(
        `SELECT DISTINCT v.kernel AS kernel FROM ${t("search_kernel")} b JOIN ${t("search_versions")} v
          ON v.name = b.name AND v.version = b.version WHERE NOT b.exact`,
        [],
      )
    : await run(
        `SELECT DISTINCT kernel FROM ${t("search_versions")} WHERE plugin AND kernel IS NOT NULL`,
        [],
      );
  const approved = ranges.map((row) => String(row.kernel)).filter((range) => satisfiesRange(kernel, range));
  return { key, exact, approved };
}

/** Reads the packages and versions of a page's rows in two statements. */
async function loadHits(d: QueryDialect, run: RunSql, rows: Row[]): Promise<PackageHit[]> {
  if (rows.length === 0) return [];
  const t = (table: string) => `${d.sql.prefix}${table}`;
  const pairs = rows.flatMap((row) => [
    [row.name, row.version],
    [row.name, row.latest],
  ]);
  const [versionRows, packageRows] = await Promise.all([
    run(`SELECT * FROM ${t("versions")} WHERE (name, version) IN (${d.jsonPairs(d.placeholder(1))})`, [
      JSON.stringify(pairs),
    ]),
    run(`SELECT * FROM ${t("packages")} WHERE name IN (${d.jsonStrings(d.placeholder(1))})`, [
      JSON.stringify(rows.map((row) => row.name)),
    ]),
  ]);
  const versions = new Map(versionRows.map((row) => [`${row.name}@${row.version}`, toVersion(row)]));
  const packages = new Map(packageRows.map((row) => [String(row.name), toPackage(row)]));
  return rows.flatMap((row) => {
    const pkg = packages.get(String(row.name));
    const version = versions.get(`${row.name}@${row.version}`);
    const latest = versions.get(`${row.name}@${row.latest}`);
    // a row whose package changed between the two reads is left out rather than shown half-updated
    if (!pkg || !version || !latest) return [];
    return [{ pkg, latest, version, downloads: Number(row.downloads), rank: Number(row.rank) }];
  });
}

/**
 * Answers a package query in SQL over the facet tables: the full-text match, the filters, the
 * kernel's compatible versions, the order and the page are all one statement; then the page's
 * records are read. Nothing reads every package.
 */
export function createPackageQuery(
  d: QueryDialect,
  run: RunSql,
): (query: PackageQuery) => Promise<PackagePage> {
  return async (query) => {
    const q = resolvePackageQuery(query);
    // no stored keyword, category or owner holds NUL (see facets.ts)
    if ([...q.keywords, ...q.categories, ...q.owners].some((value) => value.includes("\u0000"))) {
      return { total: 0, topRank: 1, hits: [] };
    }
    let words: string[] | undefined;
    if (q.text.trim() !== "") {
      words = queryWords(q.text);
      if (words.length === 0) return { total: 0, topRank: 1, hits: [] };
    }
    const kernel = q.kernel === undefined ? undefined : await planKernel(d, run, q.kernel);
    const page = composePage(d, q, words, kernel);
    let rows = await run(page.text, page.params);
    let summary = rows[0];
    if (!summary && q.offset > 0) {
      // past the last page: the first row still says how many there are
      const first = composePage(d, { ...q, offset: 0, limit: 1 }, words, kernel);
      summary = (await run(first.text, first.params))[0];
      rows = [];
    }
    return {
      total: Number(summary?.total ?? 0),
      topRank: summary ? Number(summary.top) : 1,
      hits: await loadHits(d, run, rows),
    };
  };
}
