import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import { z } from "zod";
import { requireReader } from "../auth/identify.ts";
import { listField } from "../catalog/catalog.ts";
import type { RegistryApp, RegistryContext } from "../context.ts";
import type { PackageHit } from "../search/query.ts";

interface SearchQuery {
  terms: string[];
  keywords: string[];
  maintainers: string[];
}

/**
 * What a search may ask. Anyone who may read may search, so the parameters are bounded: the text
 * is at most 256 characters (16 words are searched), and a page is at most npm's own largest, 250.
 */
const searchParams = z.object({
  text: z.string().max(256, "at most 256 characters").default(""),
  size: z.coerce.number().int().min(1).max(250).default(20),
  from: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** The validated query string; throws `BUNTIME_ERR_REGISTRY_SEARCH_INVALID` naming the parameter. */
function readParams(query: Record<string, string>): z.output<typeof searchParams> {
  const parsed = searchParams.safeParse(query);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SEARCH_INVALID", { details: formatZodIssues(parsed.error) });
  }
  return parsed.data;
}

/** Splits npm search text into free terms and `keywords:` / `maintainer:` / `author:` qualifiers. */
function parseText(text: string): SearchQuery {
  const query: SearchQuery = { terms: [], keywords: [], maintainers: [] };
  for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    const [qualifier, value] = word.includes(":") ? word.split(/:(.*)/s) : [undefined, word];
    if (qualifier === "keywords") query.keywords.push(...(value ?? "").split(",").filter(Boolean));
    else if (qualifier === "maintainer" || qualifier === "author") query.maintainers.push(value ?? "");
    else query.terms.push(word);
  }
  return query;
}

function toObject(hit: PackageHit, score: number) {
  const { pkg, latest } = hit;
  const { manifest } = latest;
  return {
    package: {
      name: pkg.name,
      scope: pkg.name.startsWith("@") ? pkg.name.slice(1, pkg.name.indexOf("/")) : "unscoped",
      version: latest.version,
      description: manifest.description ?? "",
      keywords: listField(manifest, "keywords"),
      date: pkg.modifiedAt,
      links: {},
      publisher: { username: latest.publisher },
      maintainers: pkg.owners.map((username) => ({ username })),
    },
    downloads: { total: hit.downloads },
    score: { final: score, detail: { quality: 1, popularity: 1, maintenance: 1 } },
    searchScore: score,
  };
}

/** `npm search`: `GET /-/v1/search?text=&size=&from=`. */
export function searchRoutes(app: RegistryApp, ctx: RegistryContext): void {
  app.get("/-/v1/search", async (c) => {
    requireReader(ctx, c, "searching");
    const { text, size, from } = readParams(c.req.query());
    const query = parseText(text);
    // filtered, ordered and paged in SQL: only the page's packages are read
    const page = await ctx.metadata.queryPackages({
      text: query.terms.join(" "),
      keywords: query.keywords,
      owners: query.maintainers,
      sort: "relevance",
      offset: from,
      limit: size,
    });
    return c.json({
      objects: page.hits.map((hit) => toObject(hit, hit.rank / (page.topRank || 1))),
      total: page.total,
      time: new Date().toISOString(),
    });
  });
}
