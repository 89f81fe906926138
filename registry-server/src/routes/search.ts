import { requireReader } from "../auth/identify.ts";
import { type CatalogEntry, listField, textScore } from "../catalog/catalog.ts";
import type { RegistryApp, RegistryContext } from "../context.ts";

interface SearchQuery {
  terms: string[];
  keywords: string[];
  maintainers: string[];
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
    const query = parseText(c.req.query("text") ?? "");
    const size = Math.min(Math.max(Number(c.req.query("size") ?? 20) || 20, 1), 250);
    const from = Math.max(Number(c.req.query("from") ?? 0) || 0, 0);
    const hits = (await ctx.catalog.entries())
      .map((entry) => ({ entry, score: textScore(entry, query.terms) }))
      .filter(({ entry, score }) => {
        if (score === 0) return false;
        const keywords = listField(entry.latest.manifest, "keywords").map((k) => k.toLowerCase());
        if (!query.keywords.every((k) => keywords.includes(k))) return false;
        return query.maintainers.every((m) => entry.pkg.owners.includes(m));
      })
      .sort(
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
