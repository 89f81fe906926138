import { BuntimeError } from "@buntime/sdk";
import { createEntryCheck, DEFAULT_LIMITS, packagePath, type TarballLimits } from "./policy.ts";
import { scanTar } from "./read-tar.ts";

/** Options for {@link readTarball} and `extractTarball`. */
export interface ReadTarballOptions extends Partial<TarballLimits> {
  /** Names the tarball in error messages (a package name or a path). @default "tarball" */
  source?: string;
}

/** One entry of a checked package tarball. */
export interface PackageEntry {
  /** Relative to `package/`, `/`-separated, never empty. */
  path: string;
  type: "file" | "directory";
  mode: number;
  /** The file's bytes; empty for folders. */
  data: Uint8Array;
}

/** A package tarball read by {@link readTarball}: entries in archive order. */
export interface PackageTarball {
  entries: PackageEntry[];
  /** Bytes all files take once unpacked. */
  unpackedBytes: number;
}

/**
 * Reads an npm-format `.tgz` in memory under the one safety policy every reader of package
 * tarballs applies (the folder `package/`, files and folders only, no absolute path, no `..`,
 * no duplicate, within the limits). The gzip is unpacked as the entries are read, so a refusal
 * stops it: a gzip bomb costs a few MiB at most.
 *
 * Throws `BUNTIME_ERR_TARBALL_INVALID` when the bytes are not a gzipped tar archive or pass a
 * limit, and `BUNTIME_ERR_TARBALL_UNSAFE_ENTRY` naming the first entry the policy refuses.
 * Errors raised by a limit carry the option's name in `params.limit`.
 *
 * @example
 * const { entries } = readTarball(bytes, { source: "auth@1.0.0" });
 * const manifest = entries.find((entry) => entry.path === "package.json");
 */
export function readTarball(tgz: Uint8Array, options: ReadTarballOptions = {}): PackageTarball {
  const {
    source = "tarball",
    maxEntries = DEFAULT_LIMITS.maxEntries,
    maxUnpackedBytes = DEFAULT_LIMITS.maxUnpackedBytes,
  } = options;
  if (tgz[0] !== 0x1f || tgz[1] !== 0x8b) {
    throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", { source, details: "not gzip data" });
  }
  const read = scanTar(tgz, source, {
    onHeader: createEntryCheck(source, { maxEntries, maxUnpackedBytes }),
    // every entry may add a header block, padding and a pax record besides its data
    maxBytes: maxUnpackedBytes + (maxEntries + 2) * 1024,
  });
  if (read.length === 0) {
    throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", { source, details: "it holds no entries" });
  }
  const entries: PackageEntry[] = [];
  let unpackedBytes = 0;
  for (const entry of read) {
    const path = packagePath(entry.path);
    if (path === "") continue;
    const type = entry.type === "file" ? "file" : "directory";
    entries.push({ path, type, mode: entry.mode, data: entry.data });
    unpackedBytes += entry.data.length;
  }
  return { entries, unpackedBytes };
}
