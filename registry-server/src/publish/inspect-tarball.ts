import { BuntimeError, isBuntimeError, pluginPackageSchema } from "@buntime/sdk";
import {
  checkManifestMedia,
  type PackageEntry,
  type PackageImage,
  type PackageTarball,
  readTarball,
  type TarballLimits as UnpackLimits,
} from "@buntime/supply";

/** Caps applied while reading a published tarball. */
export interface TarballLimits extends UnpackLimits {
  /** Largest gzipped tarball accepted, in bytes. */
  maxTarballBytes: number;
}

/** What the registry reads out of a valid tarball. */
export interface TarballContents {
  packageJson: Record<string, unknown>;
  readme: string;
  fileCount: number;
  unpackedSize: number;
  /** Paths of the packed files, relative to `package/`. */
  files: string[];
  /** The plugin's icon and screenshots, checked (see `checkManifestMedia`). */
  media: PackageImage[];
}

/**
 * The checked media of each inspected package.json, for the publish report: publishing hands
 * the checks only the package.json and the file paths, and the media's types are read from bytes.
 */
const checkedMedia = new WeakMap<object, PackageImage[]>();

/** The media `inspectTarball` checked for this package.json object, or none. */
export function mediaOf(packageJson: object): PackageImage[] {
  return checkedMedia.get(packageJson) ?? [];
}

/**
 * Checks a plugin's icon and screenshots against the tarball's files. A manifest that does not
 * parse is left to the manifest check, which refuses it naming every bad field.
 */
function pluginMedia(
  packageJson: Record<string, unknown>,
  entries: PackageEntry[],
  label: string,
): PackageImage[] {
  const parsed = pluginPackageSchema.safeParse(packageJson);
  if (!parsed.success) return [];
  const files = new Map(
    entries.filter((entry) => entry.type === "file").map((entry) => [entry.path, entry.data]),
  );
  return checkManifestMedia(parsed.data.buntime, (path) => files.get(path), `${label} (published tarball)`);
}

const MAX_TEXT_BYTES = 1024 * 1024;
const README = /^readme(?:\.(?:md|markdown|txt))?$/i;

function refuse(label: string, reason: string, cause?: unknown): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_REGISTRY_TARBALL_INVALID", { package: label, reason }, { cause });
}

/** The sdk's refusal as the registry answers it: 413 past the unpacked size, 400 otherwise. */
function translate(error: unknown, label: string, limits: TarballLimits): unknown {
  if (!isBuntimeError(error)) return error;
  if (error.params.limit === "maxUnpackedBytes") {
    return new BuntimeError(
      "BUNTIME_ERR_REGISTRY_TARBALL_TOO_LARGE",
      {
        package: label,
        what: "unpacked tarball",
        size: `more than ${limits.maxUnpackedBytes}`,
        limit: limits.maxUnpackedBytes,
      },
      { cause: error },
    );
  }
  if (error.code === "BUNTIME_ERR_TARBALL_UNSAFE_ENTRY") {
    return refuse(label, `refused entry ${error.params.entry}: ${error.params.reason}`, error);
  }
  if (error.code === "BUNTIME_ERR_TARBALL_INVALID") return refuse(label, String(error.params.details), error);
  return error;
}

function text(entry: PackageEntry | undefined): string | undefined {
  if (entry?.type !== "file" || entry.data.length > MAX_TEXT_BYTES) return undefined;
  return new TextDecoder().decode(entry.data);
}

/**
 * Checks a gzipped tarball the way the registry accepts it: the sdk's one tarball policy
 * (`readTarball`: gzip and tar well formed, within the limits, only files and folders under
 * `package/`, no `..` or absolute path), a `package/package.json` that parses, and a plugin's
 * icon and screenshots (in the tarball, PNG/JPEG/WebP by content, within size limits). Throws a
 * coded error naming the first problem.
 *
 * @param label the package being published, used in messages
 */
export function inspectTarball(bytes: Uint8Array, label: string, limits: TarballLimits): TarballContents {
  let tarball: PackageTarball;
  try {
    tarball = readTarball(bytes, {
      source: label,
      maxEntries: limits.maxEntries,
      maxUnpackedBytes: limits.maxUnpackedBytes,
    });
  } catch (error) {
    throw translate(error, label, limits);
  }
  const { entries } = tarball;
  const packageText = text(entries.find((entry) => entry.path === "package.json"));
  if (packageText === undefined) throw refuse(label, "no package/package.json");
  let packageJson: unknown;
  try {
    packageJson = JSON.parse(packageText);
  } catch (error) {
    throw refuse(label, "package/package.json is not valid JSON", error);
  }
  if (typeof packageJson !== "object" || packageJson === null || Array.isArray(packageJson)) {
    throw refuse(label, "package/package.json is not a JSON object");
  }
  const readmes = entries.filter((entry) => README.test(entry.path) && text(entry) !== undefined);
  const readme = readmes.sort((a, b) => (a.path < b.path ? -1 : 1))[0];
  const files = entries.filter((entry) => entry.type === "file");
  const manifest = packageJson as Record<string, unknown>;
  const media = pluginMedia(manifest, entries, label);
  checkedMedia.set(manifest, media);
  return {
    packageJson: manifest,
    media,
    readme: text(readme) ?? "",
    fileCount: files.length,
    unpackedSize: tarball.unpackedBytes,
    files: files.map((entry) => entry.path),
  };
}
