import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import { z } from "zod";
import { requireReader } from "../auth/identify.ts";
import { type CatalogEntry, listField } from "../catalog/catalog.ts";
import type { RegistryApp, RegistryContext } from "../context.ts";
import { matchesNothing, rankOf, textMatches } from "../search/matches.ts";

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

function toObject(entry: CatalogEntry, score: number) {
  const { manifest } = entry.latest;
  return {
    package: {
      name: entry.pkg.name,
      scope: entry.pkg.name.startsWith("@")
        ? entry.pkg.name.slice(1, entry.pkg.name.indexOf("/"))
        : "unscoped",
      version: entry.latest.version,
      description: manifest.description ?? "",
      keywords: listField(manifest, "keywords"),
      date: entry.pkg.modifiedAt,
      links: {},
      publisher: { username: entry.latest.publisher },
      maintainers: entry.pkg.owners.map((username) => ({ username })),
    },
    downloads: { total: entry.downloads },
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
    const matches = await textMatches(ctx.metadata, query.terms.join(" "));
    const entries = matchesNothing(matches) ? [] : await ctx.catalog.entries();
    const hits: { entry: CatalogEntry; score: number }[] = [];
    for (const entry of entries) {
      const score = rankOf(matches, entry.pkg.name);
      if (score === undefined) continue;
      const keywords = listField(entry.latest.manifest, "keywords").map((k) => k.toLowerCase());
      if (!query.keywords.every((k) => keywords.includes(k))) continue;
      if (query.maintainers.every((m) => entry.pkg.owners.includes(m))) hits.push({ entry, score });
    }
    hits.sort(
      (a, b) =>
        b.score - a.score ||
        b.entry.downloads - a.entry.downloads ||
        a.entry.pkg.name.localeCompare(b.entry.pkg.name),
    );
    const maxScore = hits[0]?.score ?? 1;
    return c.json({
      objects: hits.slice(from, from + size).map(({ entry, score }) => toObject(entry, score / maxScore)),
      total: hits.length,
      time: new Date().toISOString(),
    });
  });
}
