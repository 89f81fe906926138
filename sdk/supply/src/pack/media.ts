/**
 * A plugin's marketplace media (`buntime.icon`, `buntime.screenshots`): files of the package
 * that the registry serves to browsers. Pack and publish check them the same way, here: the file
 * is in the package, its bytes are a PNG, JPEG or WebP image (the extension alone proves
 * nothing: a renamed HTML page must not reach a browser as an image), and it is small enough.
 */
import { BuntimeError } from "@buntime/sdk";

/** The image types the marketplace serves. SVG is not one: it is a document that can run script. */
export type ImageType = "image/png" | "image/jpeg" | "image/webp";

/** Largest icon and screenshot, in bytes. */
export const MEDIA_LIMITS = { iconBytes: 256 * 1024, screenshotBytes: 2 * 1024 * 1024 } as const;

/** One checked image of the package. */
export interface PackageImage {
  /** The manifest field naming it, e.g. `buntime.screenshots[1].path`. */
  field: string;
  /** Its path in the package. */
  path: string;
  type: ImageType;
  bytes: number;
  /** A screenshot's caption. */
  caption?: string;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (data: Uint8Array, from: number, text: string) =>
  [...text].every((char, i) => data[from + i] === char.charCodeAt(0));

/**
 * The image type `data` holds, read from its first bytes (PNG's signature and IHDR chunk,
 * JPEG's SOI marker, WebP's RIFF/WEBP header); undefined for anything else.
 */
export function sniffImage(data: Uint8Array): ImageType | undefined {
  if (data.length >= 16 && PNG.every((byte, i) => data[i] === byte) && ascii(data, 12, "IHDR"))
    return "image/png";
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data.length >= 16 && ascii(data, 0, "RIFF") && ascii(data, 8, "WEBP")) return "image/webp";
  return undefined;
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * Checks the icon and screenshots a manifest names against the package's files and returns
 * them; an empty list when it names none. Throws `BUNTIME_ERR_MANIFEST_MEDIA_INVALID` naming
 * the field, the file and the reason at the first file missing from the package, not an image
 * of an allowed type by its content, or past {@link MEDIA_LIMITS}.
 *
 * @param manifest the `buntime` field, already validated by `parsePluginPackage` (so paths stay inside the package)
 * @param read the bytes of a packed file by its package path, or undefined when it is not packed
 * @param source names the package in messages (a path or `name@version`)
 */
export function checkManifestMedia(
  manifest: { icon?: string; screenshots?: readonly { path: string; caption?: string }[] },
  read: (path: string) => Uint8Array | undefined,
  source: string,
): PackageImage[] {
  const wanted = [
    ...(manifest.icon === undefined
      ? []
      : [{ field: "buntime.icon", path: manifest.icon, limit: MEDIA_LIMITS.iconBytes, caption: undefined }]),
    ...(manifest.screenshots ?? []).map((shot, i) => ({
      field: `buntime.screenshots[${i}].path`,
      path: shot.path,
      limit: MEDIA_LIMITS.screenshotBytes,
      caption: shot.caption ?? "",
    })),
  ];
  return wanted.map(({ field, path, limit, caption }) => {
    const refuse = (reason: string) =>
      new BuntimeError("BUNTIME_ERR_MANIFEST_MEDIA_INVALID", { source, field, file: path, reason });
    const data = read(path);
    if (data === undefined) throw refuse("is not in the package (is it left out by files or .npmignore?)");
    if (data.length > limit) throw refuse(`is ${kib(data.length)}; it may be at most ${kib(limit)}`);
    const type = sniffImage(data);
    if (!type) throw refuse("is not a PNG, JPEG or WebP image by its content (whatever its name says)");
    return { field, path, type, bytes: data.length, ...(caption === undefined ? {} : { caption }) };
  });
}
