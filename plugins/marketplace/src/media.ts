/**
 * A plugin's icon and screenshots on the marketplace's pages. The registry checked them at
 * publish and serves them typed by their bytes; the marketplace relays them from its own origin
 * (the page's CSP allows images from it, and the registry may need credentials the browser lacks)
 * under `<base>/media/<name>/<version>/<digest>/<icon|screenshot-N>`, with the same guarantees:
 * only PNG, JPEG or WebP, `nosniff`, a sandbox CSP, cached for good.
 */
import { BuntimeError } from "@buntime/sdk";

/** The registry's media links start so (see the registry's marketplace API). */
const REGISTRY_PREFIX = "-/marketplace/media/";
/** What follows the prefix: a package name, a version, a digest, a file. Nothing else is relayed. */
const MEDIA_PATH =
  /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*\/[0-9A-Za-z.+-]{1,64}\/[0-9a-f]{16}\/(?:icon|screenshot-[0-7])$/;
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp"]);
/** The largest image relayed: the registry's screenshot limit, with room to spare. */
const MAX_BYTES = 3 * 1024 * 1024;

/** The part of a registry media link after its prefix, or undefined when `link` is not one. */
export function mediaPath(link: string | null | undefined): string | undefined {
  if (typeof link !== "string" || !link.startsWith(REGISTRY_PREFIX)) return undefined;
  const path = link.slice(REGISTRY_PREFIX.length);
  return MEDIA_PATH.test(path) ? path : undefined;
}

/** The page's address of a registry media link, or undefined (a placeholder is shown instead). */
export function mediaHref(base: string, link: string | null | undefined): string | undefined {
  const path = mediaPath(link);
  return path === undefined ? undefined : `${base}/media/${path}`;
}

/**
 * Relays the registry's answer for `path` (a {@link mediaPath}) if it is an image of an allowed
 * type and size; anything else is `BUNTIME_ERR_MARKETPLACE_MEDIA_NOT_FOUND`.
 */
export async function relayMedia(
  path: string,
  fetchFromRegistry: (path: string) => Promise<Response>,
): Promise<Response> {
  const missing = () =>
    new BuntimeError("BUNTIME_ERR_MARKETPLACE_MEDIA_NOT_FOUND", {
      package: path.split("/").slice(0, -3).join("/") || path,
      what: `image ${path}`,
    });
  if (!MEDIA_PATH.test(path)) throw missing();
  const answer = await fetchFromRegistry(`${REGISTRY_PREFIX}${path}`);
  const type = answer.headers.get("content-type") ?? "";
  if (!answer.ok || !IMAGE_TYPES.has(type)) {
    await answer.body?.cancel();
    throw missing();
  }
  const data = await answer.arrayBuffer();
  if (data.byteLength > MAX_BYTES) throw missing();
  return new Response(data, {
    headers: {
      "content-type": type,
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      // behind the marketplace's access check: browsers may keep it, shared caches may not
      "cache-control": "private, max-age=31536000, immutable",
    },
  });
}
