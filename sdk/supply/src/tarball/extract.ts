import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type PackageTarball, type ReadTarballOptions, readTarball } from "./read.ts";

/** Options for {@link extractTarball}. */
export type ExtractOptions = ReadTarballOptions;

/** What {@link extractTarball} wrote. */
export interface ExtractedTarball {
  /** Relative paths of the files written, in archive order. */
  files: string[];
  unpackedBytes: number;
}

function writeEntries(root: string, { entries }: PackageTarball): string[] {
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(root, entry.path);
    if (entry.type === "directory") {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    // only the owner's execute bit survives; no setuid, no world-writable files
    writeFileSync(path, entry.data, { mode: entry.mode & 0o100 ? 0o755 : 0o644 });
    files.push(entry.path);
  }
  return files;
}

/**
 * Unpacks an npm-format `.tgz` into `dest` (created; it must not exist yet, or be an empty
 * folder), dropping the `package/` folder. The whole tarball is read and checked by
 * `readTarball` before anything is written, then written into a temporary folder next to
 * `dest` and renamed into place: a refused tarball (`BUNTIME_ERR_TARBALL_UNSAFE_ENTRY`,
 * `BUNTIME_ERR_TARBALL_INVALID`) or a failed write leaves nothing behind.
 *
 * @example
 * extractTarball(await Bun.file("auth-1.0.0.tgz").bytes(), "/tmp/stage/auth");
 */
export function extractTarball(
  tgz: Uint8Array,
  dest: string,
  options: ExtractOptions = {},
): ExtractedTarball {
  const tarball = readTarball(tgz, options);
  const root = resolve(dest);
  mkdirSync(dirname(root), { recursive: true });
  const temporary = mkdtempSync(join(dirname(root), `.${basename(root)}-`));
  try {
    const files = writeEntries(temporary, tarball);
    renameSync(temporary, root);
    return { files, unpackedBytes: tarball.unpackedBytes };
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}
