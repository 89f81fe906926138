/**
 * The registry's marketplace API (`/-/marketplace`, see docs/registry.md), read with a deadline.
 * The registry is another server: everything it answers is data, escaped where it is shown.
 */
import { BuntimeError } from "@buntime/sdk";

/** A plugin's card in a list. */
export interface PluginCard {
  name: string;
  version: string;
  description: string;
  keywords: string[];
  categories: string[];
  kernel: string | null;
  downloads: number;
  updatedAt: string;
  publisher: string;
  deprecated: string | null;
  signed: { registry: boolean; publisher: boolean };
  permissions?: Permissions;
  /** The registry's link to the icon (relative to its root), null without one. */
  icon?: string | null;
}

/** What a plugin may touch, as its manifest declares. */
export interface Permissions {
  network: string[];
  env: string[];
  storage: boolean;
}

/** One version in the detail. */
export interface VersionInfo {
  version: string;
  publishedAt: string;
  kernel: string | null;
  deprecated: string | null;
  downloads?: number;
}

/** Registry and publisher signature of the newest version, as the registry checked them now. */
export interface SignatureEvidence {
  registry: { keyid: string; verified: boolean };
  publisher: { keyid: string; publisher: string; verified: boolean } | null;
}

/** A plugin's detail. */
export interface PluginDetail {
  name: string;
  description: string;
  version: string;
  distTags: Record<string, string>;
  readme: string | null;
  manifest: { kernel?: string; base?: string; dependencies?: Record<string, string>; mode?: string } | null;
  permissions: Permissions | null;
  keywords: string[];
  categories: string[];
  license: string | null;
  publisher: string;
  owners: string[];
  createdAt: string;
  updatedAt: string;
  downloads: { total: number };
  signatures: SignatureEvidence;
  versions: VersionInfo[];
  /** The registry's links to the newest version's icon and screenshots. */
  icon?: string | null;
  screenshots?: { url: string; caption: string }[];
}

/** The search form's fields. */
export interface SearchQuery {
  q?: string;
  category?: string;
  sort?: string;
  /** Only plugins with a version for this kernel. */
  kernel?: string;
}

/** A client of one registry's marketplace API. */
export interface MarketplaceRegistry {
  readonly url: string;
  search(query: SearchQuery): Promise<{ total: number; plugins: PluginCard[] }>;
  detail(name: string): Promise<PluginDetail | undefined>;
  categories(): Promise<{ name: string; plugins: number }[]>;
  /** GETs `path` (relative to the registry's root) as it answers, e.g. a plugin's icon. */
  raw(path: string): Promise<Response>;
}

/** A client of `registry`, each request bounded by `timeoutMs`. */
export function marketplaceRegistry(registry: string, timeoutMs: number): MarketplaceRegistry {
  const base = registry.endsWith("/") ? registry : `${registry}/`;
  const get = async (path: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, base), { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new BuntimeError(
        "BUNTIME_ERR_CLIENT_UNREACHABLE",
        { registry: base, reason: (error as Error).message },
        { cause: error },
      );
    }
    return response;
  };
  const json = async <T>(response: Response, what: string): Promise<T> => {
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as {
        error?: { code?: string; message?: string };
      };
      throw new BuntimeError("BUNTIME_ERR_CLIENT_HTTP", {
        registry: base,
        status: response.status,
        action: `GET ${what}`,
        details: body.error?.message ?? response.statusText,
      });
    }
    return (await response.json()) as T;
  };
  return {
    url: base,
    async search(query) {
      const params = new URLSearchParams({ limit: "100" });
      for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
      const path = `-/marketplace/plugins?${params}`;
      return json(await get(path), path);
    },
    async detail(name) {
      const path = `-/marketplace/plugins/${name
        .split("/")
        .map((part) => encodeURIComponent(part).replace(/^%40/, "@"))
        .join("/")}`;
      const response = await get(path);
      if (response.status === 404) return undefined;
      return json(response, path);
    },
    raw: get,
    async categories() {
      const path = "-/marketplace/categories";
      return (await json<{ categories: { name: string; plugins: number }[] }>(await get(path), path))
        .categories;
    },
  };
}
