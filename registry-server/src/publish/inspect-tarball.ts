import { gunzipSync } from "node:zlib";
import { BuntimeError } from "@buntime/sdk";
import { Parser, type ReadEntry } from "tar";

/** Caps applied while reading a published tarball. */
export interface TarballLimits {
  /** Largest gzipped tarball accepted, in bytes. */
  maxTarballBytes: number;
  /** Largest total of decompressed tar bytes. */
  maxUnpackedBytes: number;
  /** Most entries (files and folders) in one tarball. */
  maxEntries: number;
}

/** What the registry reads out of a valid tarball. */
export interface TarballContents {
  packageJson: Record<string, unknown>;
  readme: string;
  fileCount: number;
  unpackedSize: number;
}

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const MAX_TEXT_BYTES = 1024 * 1024;
const README = /^package\/readme(?:\.(?:md|markdown|txt))?$/i;

function refuse(label: string, reason: string, cause?: unknown): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_REGISTRY_TARBALL_INVALID", { package: label, reason }, { cause });
}

/** Why `path` may not appear in a package tarball, or undefined when it is fine. */
function pathProblem(path: string): string | undefined {
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || path.includes("\\")) {
    return `entry ${JSON.stringify(path)} is an absolute or non-posix path`;
  }
  if (path.split("/").includes("..")) return `entry ${JSON.stringify(path)} escapes package/ with ..`;
  if (!path.startsWith("package/")) return `entry ${JSON.stringify(path)} is not under package/`;
  return undefined;
}

function gunzip(bytes: Uint8Array, label: string, limits: TarballLimits): Buffer {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw refuse(label, "not gzip data");
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_TARBALL_TOO_LARGE", {
        package: label,
        what: "unpacked tarball",
        size: `more than ${limits.maxUnpackedBytes}`,
        limit: limits.maxUnpackedBytes,
      });
    }
    throw refuse(label, "corrupt gzip data", error);
  }
}

/**
 * Checks a gzipped tarball the way the registry accepts it: gzip and tar well formed, within
 * the limits, every entry a file or folder under `package/` with no `..` or absolute path, and
 * a `package/package.json` that parses. Throws a coded error naming the first problem.
 *
 * @param label the package being published, used in messages
 */
export async function inspectTarball(
  bytes: Uint8Array,
  label: string,
  limits: TarballLimits,
): Promise<TarballContents> {
  const tar = gunzip(bytes, label, limits);
  const seen = new Set<string>();
  const texts = new Map<string, Promise<string>>();
  let problem: BuntimeError | undefined;
  let fileCount = 0;
  let unpackedSize = 0;

  const parser = new Parser({
    strict: false,
    onwarn: (code, message) => {
      problem ??= refuse(label, `${code}: ${String(message)}`);
    },
    onReadEntry: (entry: ReadEntry) => {
      const reason =
        seen.size >= limits.maxEntries
          ? `more than ${limits.maxEntries} entries`
          : !FILE_TYPES.has(entry.type) && entry.type !== "Directory"
            ? `entry ${JSON.stringify(entry.path)} is a ${entry.type}; only files and folders are allowed`
            : (pathProblem(entry.path) ??
              (seen.has(entry.path) ? `duplicate entry ${entry.path}` : undefined));
      if (reason) problem ??= refuse(label, reason);
      seen.add(entry.path);
      if (FILE_TYPES.has(entry.type)) {
        fileCount += 1;
        unpackedSize += entry.size ?? 0;
      }
      const wanted = entry.path === "package/package.json" || README.test(entry.path);
      if (!reason && wanted && (entry.size ?? 0) <= MAX_TEXT_BYTES) {
        texts.set(
          entry.path,
          entry.concat().then((data) => data.toString("utf8")),
        );
      } else entry.resume();
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
    parser.end(tar);
  }).catch((error: unknown) => {
    problem ??= refuse(label, "corrupt tar data", error);
  });
  if (problem) throw problem;
  if (seen.size === 0) throw refuse(label, "empty or not a tar archive");

  const packageText = await texts.get("package/package.json");
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
  const readmePath = [...texts.keys()].filter((path) => README.test(path)).sort()[0];
  const readme = readmePath ? ((await texts.get(readmePath)) ?? "") : "";
  return { packageJson: packageJson as Record<string, unknown>, readme, fileCount, unpackedSize };
}
