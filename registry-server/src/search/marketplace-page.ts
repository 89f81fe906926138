import type { CatalogEntry } from "../catalog/catalog.ts";
import { pluginSummary } from "../marketplace/views.ts";
import type { MetadataStore } from "../storage/types.ts";
import type { PackageQuery, PackageSort } from "./query.ts";

/** The marketplace list's parameters, once its route has checked them. */
export interface MarketplaceListParams {
  q: string;
  keyword?: string;
  category?: string;
  kernel?: string;
  sort: PackageSort;
  limit: number;
  offset: number;
}

/**
 * The answer of `GET /-/marketplace/plugins` (`{ total, offset, limit, plugins }`) computed by
 * the store's SQL query instead of the catalogue: plugins only, each at its newest version
 * compatible with `kernel` (or its plugin version), filtered, ordered and paged in SQL, with
 * cards built for the page alone. Ties end on the name in byte order.
 *
 * @example
 * return c.json(await marketplacePage(ctx.metadata, { q, keyword, category, kernel, sort, limit, offset }));
 */
export async function marketplacePage(metadata: MetadataStore, params: MarketplaceListParams) {
  const { limit, offset } = params;
  const page = await metadata.queryPackages(marketplaceQuery(params));
  return {
    total: page.total,
    offset,
    limit,
    plugins: page.hits.map((hit) => {
      // a card reads the package and its downloads; the version it shows is passed apart
      const entry: CatalogEntry = {
        pkg: hit.pkg,
        latest: hit.latest,
        versions: [hit.version],
        downloads: hit.downloads,
      };
      return pluginSummary(entry, hit.version);
    }),
  };
}

/** The store query a marketplace list asks: plugins only, the list's filters, order and page. */
export function marketplaceQuery(params: MarketplaceListParams): PackageQuery {
  const { q, keyword, category, kernel, sort, limit, offset } = params;
  return {
    text: q,
    keywords: keyword === undefined ? [] : [keyword],
    categories: category === undefined ? [] : [category],
    plugins: true,
    kernel,
    sort,
    limit,
    offset,
  };
}
