/**
 * A plugin version's icon and screenshots (`buntime.icon`, `buntime.screenshots`), served to
 * browsers from `/-/marketplace/media/<name>/<version>/<digest>/<icon|screenshot-N>`.
 *
 * Publish already refused media that are missing, not PNG/JPEG/WebP by content, or too large;
 * the bytes are read from the stored tarball on first request (its integrity is what the
 * registry signed) and kept in a small in-memory cache. The answer is typed by the bytes, never
 * by the name, with `nosniff` and a sandbox CSP, and cached for good: the URL carries the
 * version and a digest of the tarball's integrity, so different bytes never share a URL.
 */
import { createHash } from "node:crypto";
import { BuntimeError, manifestSchema, type ResolvedManifest } from "@buntime/sdk";
import { type ImageType, readTarball, sniffImage } from "@buntime/supply";
import type { CatalogVersion } from "../catalog/catalog.ts";
import type { RegistryContext } from "../context.ts";

/** Where a version's media are served, relative to the registry's root. */
export interface MediaLinks {
  icon: string | null;
  screenshots: { url: string; caption: string }[];
}

/** The route's last segment: `icon` or `screenshot-<index>`. */
const MEDIA_FILE = /^(?:icon|screenshot-([0-7]))$/;

/** 16 hex digits naming the tarball's integrity in media URLs. */
export function mediaDigest(integrity: string): string {
  return createHash("sha256").update(integrity).digest("hex").slice(0, 16);
}

/** The media fields of a parsed manifest. */
type DeclaredMedia = Pick<ResolvedManifest, "icon" | "screenshots">;

/** The icon and screenshots a version's manifest declares, or none when it no longer parses. */
function declared(record: CatalogVersion): DeclaredMedia {
  const parsed = manifestSchema.safeParse(record.manifest.buntime);
  return parsed.success ? parsed.data : {};
}

/**
 * The URLs of a version's media, for the marketplace's cards and detail.
 *
 * @param manifest the version's manifest already parsed, when the caller has it (a search parses each once)
 */
export function mediaLinks(record: CatalogVersion, manifest: DeclaredMedia = declared(record)): MediaLinks {
  const { icon, screenshots = [] } = manifest;
  const name = record.name.split("/").map(encodeURIComponent).join("/").replace(/^%40/, "@");
  const prefix = `-/marketplace/media/${name}/${encodeURIComponent(record.version)}/${mediaDigest(record.integrity)}`;
  return {
    icon: icon === undefined ? null : `${prefix}/icon`,
    screenshots: screenshots.map((shot, i) => ({ url: `${prefix}/screenshot-${i}`, caption: shot.caption })),
  };
}

interface CachedImage {
  type: ImageType;
  data: Uint8Array;
}

/** Bytes of media kept in memory at most, across versions (least recently used go first). */
const CACHE_BYTES = 32 * 1024 * 1024;

/** A small LRU of extracted media by integrity and path, bounded by {@link CACHE_BYTES}. */
export class MediaCache {
  readonly #images = new Map<string, CachedImage>();
  #bytes = 0;
  constructor(readonly maxBytes = CACHE_BYTES) {}

  get(key: string): CachedImage | undefined {
    const image = this.#images.get(key);
    if (image) {
      this.#images.delete(key);
      this.#images.set(key, image);
    }
    return image;
  }

  set(key: string, image: CachedImage): void {
    if (image.data.length > this.maxBytes || this.#images.has(key)) return;
    this.#images.set(key, image);
    this.#bytes += image.data.length;
    for (const [old, { data }] of this.#images) {
      if (this.#bytes <= this.maxBytes) break;
      this.#images.delete(old);
      this.#bytes -= data.length;
    }
  }
}

/** The answer to a media request: immutable, typed by content, inert if opened as a page. */
function imageResponse(image: CachedImage, etag: string): Response {
  return new Response(image.data as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": image.type,
      "content-length": String(image.data.length),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "public, max-age=31536000, immutable",
      etag,
    },
  });
}

/**
 * Answers one media request for `name@version`: `digest` must name the version's tarball now
 * (else 404: an old URL never gets new bytes) and `file` be `icon` or `screenshot-N` that the
 * manifest declares. Throws `BUNTIME_ERR_MARKETPLACE_MEDIA_NOT_FOUND` naming what is missing.
 */
export async function serveMedia(
  ctx: RegistryContext,
  cache: MediaCache,
  request: { name: string; version: string; digest: string; file: string; ifNoneMatch?: string },
): Promise<Response> {
  const { name, version, digest, file } = request;
  const label = `${name}@${version}`;
  const missing = (what: string) =>
    new BuntimeError("BUNTIME_ERR_MARKETPLACE_MEDIA_NOT_FOUND", { package: label, what });
  const match = MEDIA_FILE.exec(file);
  if (!match)
    throw missing(`media file ${JSON.stringify(file.slice(0, 40))} (expected icon or screenshot-N)`);
  const record = await ctx.metadata.getVersion(name, version);
  if (!record || mediaDigest(record.integrity) !== digest)
    throw missing(`media under digest ${digest.slice(0, 16)}`);
  const { icon, screenshots = [] } = declared(record);
  const path = match[1] === undefined ? icon : screenshots[Number(match[1])]?.path;
  if (path === undefined) throw missing(match[1] === undefined ? "icon" : `screenshot ${match[1]}`);
  const etag = `"${digest}-${file}"`;
  if (request.ifNoneMatch === etag) return new Response(null, { status: 304, headers: { etag } });
  const key = `${record.integrity}:${path}`;
  let image = cache.get(key);
  if (!image) {
    const blob = await ctx.blobs.get(record.blobKey);
    if (!blob) throw missing("stored tarball");
    const entries = readTarball(new Uint8Array(await blob.arrayBuffer()), {
      source: label,
      maxEntries: ctx.options.limits.maxEntries,
      maxUnpackedBytes: ctx.options.limits.maxUnpackedBytes,
    }).entries;
    const data = entries.find((entry) => entry.type === "file" && entry.path === path)?.data;
    const type = data && sniffImage(data);
    // published before media were checked, or altered since: never serve it as an image
    if (!data || !type) throw missing(`usable image at ${path}`);
    image = { type, data };
    cache.set(key, image);
  }
  return imageResponse(image, etag);
}
