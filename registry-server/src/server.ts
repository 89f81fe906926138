import { BuntimeError } from "@buntime/sdk";
import { Hono } from "hono";
import { auditRoutes } from "./audit/routes.ts";
import { identify } from "./auth/identify.ts";
import { createAuthRateLimiter } from "./auth/rate-limit.ts";
import { createCatalog } from "./catalog/catalog.ts";
import type {
  RegistryContext,
  RegistryEnv,
  RegistryServerOptions,
  ResolvedRegistryOptions,
} from "./context.ts";
import { createConsoleLogger } from "./http/console-logger.ts";
import { renderError, renderNotFound } from "./http/errors.ts";
import { type PublishTarballOptions, publishTarball } from "./publish/seed.ts";
import { distTagRoutes } from "./routes/dist-tags.ts";
import { keyRoutes } from "./routes/keys.ts";
import { marketplaceRoutes } from "./routes/marketplace.ts";
import { packageRoutes } from "./routes/packages.ts";
import { publisherKeyRoutes } from "./routes/publisher-keys.ts";
import { searchRoutes } from "./routes/search.ts";
import { tarballRoutes } from "./routes/tarballs.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { userRoutes } from "./routes/users.ts";
import { loadRegistrySigner } from "./signing/registry-signer.ts";
import { createDownloadCounter } from "./stats/download-counter.ts";
import type { VersionRecord } from "./storage/types.ts";
import { createUplinks } from "./uplinks/uplinks.ts";

/** A registry app ready to serve, with what it holds open. */
export interface RegistryServer {
  /** The Hono app: mount it, or pass `fetch` to `Bun.serve`. */
  app: Hono<RegistryEnv>;
  fetch: (request: Request, server?: unknown) => Response | Promise<Response>;
  /**
   * Publishes a package tarball without HTTP or token, validated like `npm publish`; used to
   * seed a registry (e.g. with first-party plugins). Idempotent for identical bytes.
   */
  publishTarball(tarball: Uint8Array, options?: PublishTarballOptions): Promise<VersionRecord>;
  /** Flushes download counts and closes the storage. */
  close(): Promise<void>;
}

function resolveOptions(options: RegistryServerOptions): ResolvedRegistryOptions {
  return {
    publicUrl: options.publicUrl,
    limits: {
      maxTarballBytes: 10 * 1024 * 1024,
      maxUnpackedBytes: 100 * 1024 * 1024,
      maxEntries: 10_000,
      ...options.limits,
    },
    anonymousRead: options.anonymousRead ?? true,
    allowRegistration: options.allowRegistration ?? true,
    authRateLimit: options.authRateLimit ?? { attempts: 10, windowMs: 60_000 },
    logger: options.logger ?? createConsoleLogger(),
    advisories: options.advisories ?? [],
  };
}

function uplinksOf(options: RegistryServerOptions, resolved: ResolvedRegistryOptions) {
  if (!options.uplinks?.length) return undefined;
  if (!options.uplinkCacheDir) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SETTINGS_INVALID", {
      details: "uplinks need an uplinkCacheDir (startRegistry gives <storage>/uplinks)",
    });
  }
  return createUplinks(options.uplinks, options.uplinkCacheDir, resolved.logger);
}

/**
 * Builds the registry: the npm protocol subset (login, publish, packuments, tarballs,
 * dist-tags, deprecate, unpublish, search, signing keys) and the marketplace API, over the
 * given storage.
 *
 * @example
 * const registry = await createRegistryServer({ storage: openSqliteStorage("./data") });
 * Bun.serve({ port: 4873, fetch: registry.fetch });
 */
export async function createRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const resolved = resolveOptions(options);
  const { metadata, blobs } = options.storage;
  const ctx: RegistryContext = {
    metadata,
    blobs,
    options: resolved,
    signer: await loadRegistrySigner(metadata, options.signingKey),
    downloads: createDownloadCounter(metadata),
    rateLimiter: createAuthRateLimiter(resolved.authRateLimit.attempts, resolved.authRateLimit.windowMs),
    catalog: createCatalog(metadata),
    uplinks: uplinksOf(options, resolved),
  };
  const app = new Hono<RegistryEnv>();
  app.onError(renderError(resolved.logger));
  app.notFound(renderNotFound);
  app.use(identify(ctx));
  keyRoutes(app, ctx);
  userRoutes(app, ctx);
  tokenRoutes(app, ctx);
  auditRoutes(app, ctx);
  searchRoutes(app, ctx);
  marketplaceRoutes(app, ctx);
  publisherKeyRoutes(app, ctx);
  distTagRoutes(app, ctx);
  tarballRoutes(app, ctx);
  packageRoutes(app, ctx);
  return {
    app,
    fetch: (request, server) => app.fetch(request, server),
    publishTarball: (tarball, publishOptions) => publishTarball(ctx, tarball, publishOptions),
    async close() {
      await ctx.downloads.close();
      await metadata.close();
      await blobs.close();
    },
  };
}
