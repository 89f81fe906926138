import { satisfiesRange } from "@buntime/sdk";
import { type Row, toPackage, toVersion } from "../storage/rows.ts";
import type { SqlDialect } from "../storage/schema.ts";
import type { PackageHit, PackagePage, PackageQuery, ResolvedPackageQuery } from "./query.ts";
import { encodeCursor, resolvePackageQuery } from "./query.ts";
import { versionKeyOf } from "./version-key.ts";
import { queryWords } from "./words.ts";

/** How one SQL backend writes the parts of a package query that differ between them. */
export interface QueryDialect {
  sql: SqlDialect;
  /** The placeholder of the `index`th parameter (1-based; a placeholder may be used twice). */
  placeholder(index: number): string;
  /** The full-text query for `words` (letters and digits only) as the backend's syntax. */
  matchText(words: string[]): string;
  /**
   * A select of `(name, rank)` of the packages matching the full-text query in `param`; with
   * `ranked` false every rank is 1 (ranking every match is the costly part of a text search).
   */
  matching(param: string, ranked: boolean): string;
  /** A condition: `column` is one of the strings of the JSON array in `param`. */
  inList(column: string, param: string): string;
  /**
   * True to let the planner look rows up one at a time (SQLite, whose index seeks are cheap and
   * whose materialized sets are copies); false to materialize the text matches and join them
   * whole (PostgreSQL, which underestimates a text match that holds most packages and would
   * otherwise look each one up in a loop).
   */
  nestedLookups: boolean;
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

/**
 * The statements of one page. A package's shown version is `latest`, its plugin version, or,
 * for a kernel, the version of the compatibility segment the kernel falls in (see compat.ts).
 * When every match is read anyway (text, or a kernel) one statement keeps the hits, pages them
 * and counts them; otherwise (browsing) the page is read in an index's order up to its end and
 * `count` (run with the first `countParams` parameters) gives the total. Either way the page's
 * records (shown and latest version, package) are joined on, so an answer is one round trip.
 */
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
  const ranked = words !== undefined && q.sort === "relevance";
  // the usual kernel case: a kernel falls in at most one compatibility segment per package,
  // and the segment carries the package's columns, so it stands in for the package row
  const segmentRows = kernel?.exact === true && kernel.approved.length === 0;
  let from = `${t(segmentRows ? "search_compat" : "search_packages")} p`;
  const ctes: string[] = [];
  const materialized = d.nestedLookups ? "" : "MATERIALIZED ";
  const packageFilters = ["TRUE"];
  // with a kernel every candidate is a plugin: only plugin versions have segments or ranges
  if (q.plugins && !kernel) packageFilters.push("p.plugin_version IS NOT NULL");
  for (const owner of q.owners) {
    packageFilters.push(
      `EXISTS (SELECT 1 FROM ${t("packages")} o WHERE o.name = p.name AND ${d.hasOwner("o.owners", bind(owner))})`,
    );
  }
  let version = q.plugins ? "p.plugin_version" : "p.latest";
  if (kernel) {
    // segments are half-open (see halfOpen in compat.ts); bound only where used
    const fits = (alias: string) => {
      const k = bind(kernel.key);
      return `${alias}.lo <= ${k} AND ${k} < ${alias}.hi`;
    };
    if (segmentRows && words && !d.nestedLookups) {
      // kept apart too, or the planner, expecting few text matches, looks each one up
      ctes.push(`fitting AS MATERIALIZED (SELECT * FROM ${t("search_compat")} s WHERE ${fits("s")})`);
      from = "fitting p";
      version = "p.version";
    } else if (segmentRows) {
      packageFilters.push(fits("p"));
      version = "p.version";
    } else {
      // ranges semver had to decide join the segments; the newest candidate wins, ties (equal
      // keys) going to the first published, as a stable semver sort does
      const segments = kernel.exact
        ? `SELECT name, version, version_key, published_at FROM ${t("search_compat")} c WHERE ${fits("c")} UNION ALL `
        : "";
      ctes.push(`chosen AS MATERIALIZED (SELECT name, version FROM (SELECT name, version, row_number() OVER
        (PARTITION BY name ORDER BY version_key DESC, published_at, version ${binary}) AS n FROM (${segments}
        SELECT name, version, version_key, published_at FROM ${t("search_kernel")}
        WHERE ${d.inList("kernel", bind(JSON.stringify(kernel.approved)))}) candidates) newest WHERE n = 1)`);
      from += " JOIN chosen c ON c.name = p.name";
      version = "c.version";
    }
  }
  if (words) {
    ctes.push(`matched AS ${materialized}(${d.matching(bind(d.matchText(words)), ranked)})`);
    from += " JOIN matched m ON m.name = p.name";
  }
  /** Conditions on the shown version, written with `ref` for it. */
  const versionFilters = (ref: string) => {
    const term = (kind: string, value: string) =>
      `EXISTS (SELECT 1 FROM ${t("search_terms")} st WHERE st.kind = '${kind}' AND st.term = ${bind(value)}
        AND st.name = p.name AND st.version = ${ref})`;
    return [
      ...q.keywords.map((keyword) => term("k", keyword)),
      ...q.categories.map((category) => term("c", category)),
    ];
  };
  const byName = `name ${binary}`;
  const order = {
    relevance: `${ranked ? "rank DESC, " : ""}downloads DESC, ${byName}`,
    downloads: `downloads DESC, ${byName}`,
    updated: `modified_at ${binary} DESC, ${byName}`,
    name: byName,
  }[q.sort];
  const columns = (ref: string) => `p.name AS name, ${ref} AS version, p.latest AS latest,
    p.downloads AS downloads, p.modified_at AS modified_at, ${ranked ? "m.rank" : "1.0"} AS rank`;
  const records = (source: string) => `SELECT page.*, v.record AS record, v.deprecated AS deprecated,
      lv.record AS latest_record, lv.deprecated AS latest_deprecated, pk.owners AS owners,
      pk.dist_tags AS dist_tags, pk.created_at AS created_at, pk.modified_at AS package_modified_at
    FROM ${source} JOIN ${t("versions")} v ON v.name = page.name AND v.version = page.version
    JOIN ${t("versions")} lv ON lv.name = page.name AND lv.version = page.latest
    JOIN ${t("packages")} pk ON pk.name = page.name`;
  const filters = [...packageFilters, ...versionFilters(version)].join(" AND ");
  const limits = () => `LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`;
  /** The rows after the cursor in the page's order, written with `col` for each sort column. */
  const afterCursor = (col: (name: "rank" | "downloads" | "modified_at" | "name") => string) => {
    const c = q.after;
    if (!c) return "TRUE";
    // built for the page's order only: every bound value must appear in the statement
    const byName = () => `${col("name")} ${binary} > ${bind(c.name)}`;
    const byDownloads = () =>
      `(${col("downloads")} < ${bind(c.downloads)} OR (${col("downloads")} = ${bind(c.downloads)} AND ${byName()}))`;
    const modified = `${col("modified_at")} ${binary}`;
    const byRank = () =>
      `(${col("rank")} < ${bind(c.rank)} OR (${col("rank")} = ${bind(c.rank)} AND ${byDownloads()}))`;
    return {
      relevance: ranked ? byRank : byDownloads,
      downloads: byDownloads,
      updated: () =>
        `(${modified} < ${bind(c.modifiedAt)} OR (${modified} = ${bind(c.modifiedAt)} AND ${byName()}))`,
      name: byName,
    }[q.sort]();
  };
  if (words || kernel) {
    // every match is read anyway (to rank it, or to find its kernel's version): the hits are
    // kept, then both paged and counted; the summary row carries the total (and whether any
    // range needs semver, see planKernel)
    const inexact = kernel ? `(SELECT count(*) FROM ${t("search_kernel")} WHERE exact = FALSE)` : "0";
    const page = `WITH ${[...ctes, ""].join(", ")}hits AS MATERIALIZED (SELECT ${columns(version)} FROM ${from}
        WHERE ${filters}), page AS (SELECT * FROM hits WHERE ${afterCursor((c) => c)} ORDER BY ${order} ${limits()})
      SELECT *, NULL AS total, NULL AS inexact FROM (${records("page")}) paged
      UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, max(rank), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        count(*), ${inexact} FROM hits`;
    return { page, count: undefined, params, countParams: params.length };
  }
  // read in an index's order up to the page's end; counted apart
  const withs = ctes.length > 0 ? `WITH ${ctes.join(", ")} ` : "";
  const body = `FROM ${from} WHERE ${filters}`;
  const countParams = params.length;
  const after = afterCursor((c) => `p.${c}`);
  const page = `${withs}${records(`(SELECT ${columns(version)} ${body} AND ${after} ORDER BY ${order} ${limits()}) page`)}`;
  return { page, count: `${withs}SELECT count(*) AS total, 1.0 AS rank ${body}`, params, countParams };
}

const byBytes = (a: unknown, b: unknown) => {
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Each order again, for the page's rows of a single statement (names in byte order, as in SQL). */
const PAGE_ORDERS: Record<ResolvedPackageQuery["sort"], (a: Row, b: Row) => number> = {
  relevance: (a, b) =>
    Number(b.rank) - Number(a.rank) || Number(b.downloads) - Number(a.downloads) || byBytes(a.name, b.name),
  downloads: (a, b) => Number(b.downloads) - Number(a.downloads) || byBytes(a.name, b.name),
  updated: (a, b) => byBytes(b.modified_at, a.modified_at) || byBytes(a.name, b.name),
  name: (a, b) => byBytes(a.name, b.name),
};

/**
 * Decides in JavaScript, with semver, the few ranges the SQL intervals cannot: every range
 * with an inexact bound, or every range when the kernel's own key is inexact.
 */
async function planKernel(d: QueryDialect, run: RunSql, kernel: string): Promise<KernelPlan> {
  const { key, exact } = versionKeyOf(kernel);
  const t = (table: string) => `${d.sql.prefix}${table}`;
  // every range that parses has rows here; with an exact kernel only the inexact ranges are needed
  const where = exact ? "WHERE exact = FALSE" : "";
  const ranges = await run(`SELECT DISTINCT kernel FROM ${t("search_kernel")} ${where}`, []);
  const approved = ranges.map((row) => String(row.kernel)).filter((range) => satisfiesRange(kernel, range));
  return { key, exact, approved };
}

/** A page row (with its records joined) as a hit. */
function toHit(row: Row): PackageHit {
  const pkg = toPackage({ ...row, modified_at: row.package_modified_at });
  const version = toVersion(row);
  const latest = toVersion({ record: row.latest_record, deprecated: row.latest_deprecated });
  return { pkg, latest, version, downloads: Number(row.downloads), rank: Number(row.rank) };
}

/**
 * Answers a package query in SQL over the facet tables: the full-text match, the filters, the
 * kernel's compatible versions, the order, the page and its records in one statement (two
 * side by side when browsing). Nothing reads every package's versions.
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
    const ask = async (kernel?: KernelPlan) => {
      const { page, count, params, countParams } = composePage(d, q, words, kernel);
      let rows: Row[];
      let summary: Row | undefined;
      if (count) {
        const [pageRows, counted] = await Promise.all([
          run(page, params),
          run(count, params.slice(0, countParams)),
        ]);
        rows = pageRows;
        summary = counted[0];
      } else {
        const all = await run(page, params);
        summary = all.find((row) => row.total !== null && row.total !== undefined);
        rows = all.filter((row) => row !== summary);
      }
      rows.sort(PAGE_ORDERS[q.sort]);
      const last = rows.at(-1);
      const answer: PackagePage = {
        total: Number(summary?.total ?? 0),
        topRank: Number(summary?.rank ?? 1) || 1,
        hits: rows.map(toHit),
      };
      if (last && rows.length === q.limit) {
        answer.nextCursor = encodeCursor({
          sort: q.sort,
          rank: Number(last.rank),
          downloads: Number(last.downloads),
          modifiedAt: String(last.modified_at),
          name: String(last.name),
        });
      }
      return { answer, inexactRanges: Number(summary?.inexact ?? 0) };
    };
    if (q.kernel === undefined) return (await ask()).answer;
    // an exact kernel is asked for first as if no range needed semver (the usual case, one
    // round trip); the answer says when some range did, and only then is it asked again
    const key = versionKeyOf(q.kernel);
    if (key.exact) {
      const first = await ask({ ...key, approved: [] });
      if (first.inexactRanges === 0) return first.answer;
    }
    return (await ask(await planKernel(d, run, q.kernel))).answer;
  };
}
