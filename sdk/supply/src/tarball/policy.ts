import { BuntimeError } from "@buntime/sdk";
import type { TarHeader } from "./tar-format.ts";

/** Caps on what one package tarball may hold. */
export interface TarballLimits {
  /** Most entries accepted. @default 10000 */
  maxEntries: number;
  /** Most bytes all files may take once unpacked. @default 104857600 (100 MiB) */
  maxUnpackedBytes: number;
}

/** The limits applied when a caller gives none. */
export const DEFAULT_LIMITS: TarballLimits = { maxEntries: 10_000, maxUnpackedBytes: 100 * 1024 * 1024 };

/** The folder every entry of an npm-format tarball lives under. */
const TOP = "package";

const SPECIAL_KINDS: Record<string, string> = {
  CharacterDevice: "a character device",
  BlockDevice: "a block device",
  FIFO: "a fifo",
};

/**
 * The path of an entry under `package/`, `/`-separated, with empty and `.` segments dropped:
 * `""` for the folder itself. Only meaningful for an entry {@link entryProblem} accepts.
 */
export function packagePath(path: string): string {
  return path
    .split("/")
    .slice(1)
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}

/**
 * Why an entry may not be unpacked, or undefined when it may: only files and folders, under
 * `package/`, with a relative, portable path and no `..`.
 */
export function entryProblem(header: TarHeader): string | undefined {
  if (header.type === "symlink") return `a symbolic link (to ${header.linkTarget})`;
  if (header.type === "hardlink") return `a hard link (to ${header.linkTarget})`;
  if (header.type === "other") {
    const kind = SPECIAL_KINDS[header.tarType] ?? `an entry of type ${header.tarType}`;
    return `not a regular file or folder (${kind})`;
  }
  const { path } = header;
  if (path.includes("\0")) return "a NUL byte in its path";
  if (path.startsWith("/") || path.startsWith("\\") || /^[a-zA-Z]:/.test(path)) return "an absolute path";
  if (path.includes("\\")) return "a backslash in its path";
  if (path.split("/").includes("..")) return "a '..' segment that escapes the folder";
  if (path.split("/")[0] !== TOP) return `not under ${TOP}/`;
  if (header.type === "file" && packagePath(path) === "") return `no name under ${TOP}/`;
  return undefined;
}

/**
 * The one safety policy for package tarballs, as a check to run on each header while reading
 * (see `scanTar`): every entry must pass {@link entryProblem}, appear once, not sit inside a
 * file, and stay within the limits. A refusal names the entry: `BUNTIME_ERR_TARBALL_UNSAFE_ENTRY`,
 * or `BUNTIME_ERR_TARBALL_INVALID` past the entry limit. Errors raised by a limit carry the
 * option's name in `params.limit`.
 */
export function createEntryCheck(source: string, limits: TarballLimits): (header: TarHeader) => void {
  /** Every path seen so far: `true` for an entry of the archive, `false` for a folder implied by one. */
  const seen = new Map<string, boolean>();
  const files = new Set<string>();
  let entries = 0;
  let unpackedBytes = 0;
  const refuse = (entry: string, reason: string, limit?: string): never => {
    throw new BuntimeError("BUNTIME_ERR_TARBALL_UNSAFE_ENTRY", {
      source,
      entry,
      reason,
      ...(limit ? { limit } : {}),
    });
  };
  return (header) => {
    entries += 1;
    if (entries > limits.maxEntries) {
      throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", {
        source,
        details: `at least ${entries} entries, over the limit of ${limits.maxEntries}`,
        limit: "maxEntries",
      });
    }
    const problem = entryProblem(header);
    if (problem) refuse(header.path, problem);
    const path = packagePath(header.path);
    const earlier = seen.get(path);
    if (earlier === true) refuse(header.path, "a second entry for the same path");
    if (earlier === false && header.type === "file")
      refuse(header.path, "a file where other entries make a folder");
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join("/");
      if (files.has(folder)) refuse(header.path, `inside ${TOP}/${folder}, which is a file`);
      if (!seen.has(folder)) seen.set(folder, false);
    }
    seen.set(path, true);
    if (header.type !== "file") return;
    files.add(path);
    unpackedBytes += header.size;
    if (unpackedBytes > limits.maxUnpackedBytes) {
      refuse(
        header.path,
        `its ${header.size} bytes take the unpacked size over the limit of ${limits.maxUnpackedBytes}`,
        "maxUnpackedBytes",
      );
    }
  };
}
