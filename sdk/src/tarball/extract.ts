import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { BuntimeError } from "../errors.ts";
import { readTar, type TarEntry } from "./tar-format.ts";

/** Options for {@link extractTarball}. */
export interface ExtractOptions {
  /** Names the tarball in error messages (a package name or a path). @default "tarball" */
  source?: string;
  /** Most entries accepted. @default 10000 */
  maxEntries?: number;
  /** Most bytes all files may take once unpacked. @default 104857600 (100 MiB) */
  maxUnpackedBytes?: number;
}

/** What {@link extractTarball} wrote. */
export interface ExtractedTarball {
  /** Relative paths of the files written, in archive order. */
  files: string[];
  unpackedBytes: number;
}

function unsafeReason(entry: TarEntry, relative: string): string | undefined {
  if (entry.type === "symlink") return `a symbolic link (to ${entry.linkTarget})`;
  if (entry.type === "hardlink") return `a hard link (to ${entry.linkTarget})`;
  if (entry.type === "other") return "not a regular file or folder (a device, fifo or unknown type)";
  if (entry.path.includes("\0")) return "a NUL byte in its path";
  if (isAbsolute(entry.path) || /^[a-zA-Z]:/.test(entry.path) || entry.path.startsWith("\\"))
    return "an absolute path";
  if (entry.path.split(/[\\/]/).includes("..")) return "a '..' segment that escapes the folder";
  if (relative === "") return entry.type === "directory" ? undefined : "no path under the package folder";
  return undefined;
}

/** Drops the archive's top folder (`package/` in npm tarballs). */
function underTop(path: string): string {
  const slash = path.indexOf("/");
  return slash === -1 ? "" : path.slice(slash + 1).replace(/\/+$/, "");
}

/**
 * Unpacks an npm-format `.tgz` into `dest` (created; it must not hold anything yet), dropping
 * the top folder. Every entry is checked before anything is written: a `..` segment, an absolute
 * path, a link or a device refuses the whole tarball with `BUNTIME_ERR_TARBALL_UNSAFE_ENTRY` and
 * writes nothing.
 *
 * @example
 * await extractTarball(await Bun.file("auth-1.0.0.tgz").bytes(), "/tmp/stage/auth");
 */
export function extractTarball(
  tgz: Uint8Array,
  dest: string,
  options: ExtractOptions = {},
): ExtractedTarball {
  const { source = "tarball", maxEntries = 10_000, maxUnpackedBytes = 100 * 1024 * 1024 } = options;
  // tar adds at most two 512-byte blocks per entry and the end marker; a gzip bomb stops here
  const maxTarBytes = maxUnpackedBytes + (maxEntries + 2) * 1024;
  let tar: Uint8Array;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: maxTarBytes });
  } catch (error) {
    const tooLarge =
      (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError;
    throw new BuntimeError(
      "BUNTIME_ERR_TARBALL_INVALID",
      { source, details: tooLarge ? `it unpacks to more than ${maxTarBytes} bytes` : "not gzip data" },
      { cause: error },
    );
  }
  const entries = readTar(tar, source);
  if (entries.length > maxEntries) {
    throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", {
      source,
      details: `${entries.length} entries, over the limit of ${maxEntries}`,
    });
  }
  const root = resolve(dest);
  const plan: { path: string; relative: string; entry: TarEntry }[] = [];
  let unpackedBytes = 0;
  for (const entry of entries) {
    const relative = underTop(entry.path);
    const reason = unsafeReason(entry, relative);
    if (reason) {
      throw new BuntimeError("BUNTIME_ERR_TARBALL_UNSAFE_ENTRY", { source, entry: entry.path, reason });
    }
    if (relative === "") continue;
    const path = resolve(root, relative);
    if (!path.startsWith(root + sep)) {
      throw new BuntimeError("BUNTIME_ERR_TARBALL_UNSAFE_ENTRY", {
        source,
        entry: entry.path,
        reason: "it would land outside the destination",
      });
    }
    unpackedBytes += entry.data.length;
    plan.push({ path, relative, entry });
  }
  if (unpackedBytes > maxUnpackedBytes) {
    throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", {
      source,
      details: `${unpackedBytes} bytes unpacked, over the limit of ${maxUnpackedBytes}`,
    });
  }
  mkdirSync(root, { recursive: true });
  const files: string[] = [];
  for (const { path, relative, entry } of plan) {
    if (entry.type === "directory") {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    // only the owner's execute bit survives; no setuid, no world-writable files
    writeFileSync(path, entry.data, { mode: entry.mode & 0o100 ? 0o755 : 0o644 });
    files.push(relative.split(sep).join("/"));
  }
  return { files, unpackedBytes };
}
