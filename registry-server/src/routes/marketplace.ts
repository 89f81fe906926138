import { BuntimeError, packageNameSchema } from "@buntime/sdk";
import type { Context } from "hono";
import semver from "semver";
import { requireReader } from "../auth/identify.ts";
import { listField } from "../catalog/catalog.ts";
import type { RegistryApp, RegistryContext, RegistryEnv } from "../context.ts";
import { MediaCache, mediaLinks, serveMedia } from "../marketplace/media.ts";
import {
  isPlugin,
  kernelRange,
  pluginSummary,
  resolvedManifest,
  signatureStatus,
} from "../marketplace/views.ts";
import { marketplacePage } from "../search/marketplace-page.ts";
import type { PackageSort } from "../search/query.ts";
import type { PublisherKey } from "../storage/types.ts";

const SORTS = ["downloads", "updated", "name", "relevance"] as const;

function badQuery(details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details });
}

async function keysOf(ctx: RegistryContext, users: string[]): Promise<PublisherKey[]> {
  const lists = await Promise.all([...new Set(users)].map((user) => ctx.metadata.listPublisherKeys(user)));
  return lists.flat();
}

/**
 * The marketplace API under `/-/marketplace`: plugin list and search with filters, plugin
 * detail, publisher profiles, categories, and each version's icon and screenshots. Only packages
 * with a `buntime` manifest appear.
 */
export function marketplaceRoutes(app: RegistryApp, ctx: RegistryContext): void {
  app.get("/-/marketplace/plugins", async (c) => {
    requireReader(ctx, c, "browsing the marketplace");
    const q = c.req.query("q") ?? "";
    const keyword = c.req.query("keyword")?.toLowerCase();
    const category = c.req.query("category")?.toLowerCase();
    const kernel = c.req.query("kernel");
    const sort = c.req.query("sort") ?? (q.trim() !== "" ? "relevance" : "downloads");
    const limit = Number(c.req.query("limit") ?? 20);
    const offset = Number(c.req.query("offset") ?? 0);
    if (q.length > 256) throw badQuery(`q must be at most 256 characters, got ${q.length}`);
    if (kernel !== undefined && semver.valid(kernel) === null)
      throw badQuery(`kernel must be a version such as 1.2.0, got ${kernel}`);
    if (!(SORTS as readonly string[]).includes(sort))
      throw badQuery(`sort must be one of ${SORTS.join(", ")}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badQuery("limit must be 1-100");
    if (!Number.isInteger(offset) || offset < 0) throw badQuery("offset must be 0 or more");

    await ctx.downloads.flush();
    const params = { q, keyword, category, kernel, sort: sort as PackageSort, limit, offset };
    return c.json(await marketplacePage(ctx.metadata, params));
  });

  const detail = async (c: Context<RegistryEnv>) => {
    requireReader(ctx, c, "browsing the marketplace");
    const raw = c.req.param("scope")
      ? `${c.req.param("scope")}/${c.req.param("name")}`
      : (c.req.param("name") ?? "");
    const name = packageNameSchema.safeParse(raw).success ? raw : "";
    const pkg = name ? await ctx.metadata.getPackage(name) : undefined;
    const versions = pkg ? await ctx.metadata.listVersions(name) : [];
    const latest = versions.find((v) => v.version === pkg?.distTags.latest) ?? versions.at(-1);
    if (!pkg || !latest || !isPlugin(latest))
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: raw });
    await ctx.downloads.flush();
    const [byVersion, keys] = await Promise.all([
      ctx.metadata.downloadsByVersion(name),
      keysOf(
        ctx,
        versions.map((v) => v.publisher),
      ),
    ]);
    const manifest = resolvedManifest(latest) as { permissions?: unknown };
    return c.json({
      name,
      description: String(latest.manifest.description ?? ""),
      version: latest.version,
      distTags: pkg.distTags,
      readme: latest.readme,
      manifest,
      permissions: manifest.permissions ?? null,
      keywords: listField(latest.manifest, "keywords"),
      categories: listField(latest.manifest, "categories"),
      license: latest.manifest.license ?? null,
      homepage: latest.manifest.homepage ?? null,
      repository: latest.manifest.repository ?? null,
      publisher: latest.publisher,
      owners: pkg.owners,
      createdAt: pkg.createdAt,
      updatedAt: pkg.modifiedAt,
      downloads: { total: Object.values(byVersion).reduce((a, b) => a + b, 0), byVersion },
      signatures: signatureStatus(ctx, latest, keys),
      ...mediaLinks(latest),
      versions: versions
        .slice()
        .sort((a, b) => semver.rcompare(a.version, b.version))
        .map((v) => ({
          version: v.version,
          publishedAt: v.publishedAt,
          publisher: v.publisher,
          kernel: kernelRange(v) ?? null,
          deprecated: v.deprecated,
          integrity: v.integrity,
          size: v.size,
          downloads: byVersion[v.version] ?? 0,
          signatures: signatureStatus(ctx, v, keys),
        })),
    });
  };
  app.get("/-/marketplace/plugins/:scope{@[^/%]+}/:name", detail);
  app.get("/-/marketplace/plugins/:name", detail);

  const cache = new MediaCache();
  const media = async (c: Context<RegistryEnv>) => {
    requireReader(ctx, c, "browsing the marketplace");
    const raw = c.req.param("scope")
      ? `${c.req.param("scope")}/${c.req.param("name")}`
      : (c.req.param("name") ?? "");
    if (!packageNameSchema.safeParse(raw).success)
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: raw });
    return serveMedia(ctx, cache, {
      name: raw,
      version: c.req.param("version") ?? "",
      digest: c.req.param("digest") ?? "",
      file: c.req.param("file") ?? "",
      ifNoneMatch: c.req.header("if-none-match"),
    });
  };
  app.get("/-/marketplace/media/:scope{@[^/%]+}/:name/:version/:digest{[0-9a-f]{16}}/:file", media);
  app.get("/-/marketplace/media/:name/:version/:digest{[0-9a-f]{16}}/:file", media);

  app.get("/-/marketplace/publishers/:user", async (c) => {
    requireReader(ctx, c, "browsing the marketplace");
    const user = await ctx.metadata.getUser(c.req.param("user"));
    if (!user) throw new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path });
    await ctx.downloads.flush();
    const plugins = (await ctx.catalog.entries())
      .filter((entry) => entry.pkg.owners.includes(user.name) && isPlugin(entry.latest))
      .map((entry) => pluginSummary(entry, entry.latest));
    const keys = await ctx.metadata.listPublisherKeys(user.name);
    return c.json({
      name: user.name,
      joinedAt: user.createdAt,
      plugins,
      downloads: plugins.reduce((sum, p) => sum + p.downloads, 0),
      keys: keys.map((k) => ({ keyid: k.keyid, publicKey: k.publicKey, createdAt: k.createdAt })),
    });
  });

  app.get("/-/marketplace/categories", async (c) => {
    requireReader(ctx, c, "browsing the marketplace");
    const counts = new Map<string, number>();
    for (const entry of await ctx.catalog.entries()) {
      if (!isPlugin(entry.latest)) continue;
      for (const category of listField(entry.latest.manifest, "categories")) {
        counts.set(category, (counts.get(category) ?? 0) + 1);
      }
    }
    return c.json({
      categories: [...counts]
        .map(([name, plugins]) => ({ name, plugins }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    });
  });
}
