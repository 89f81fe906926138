import { chmodSync, lutimesSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";

/** Every file under `dir`, as sorted `/`-separated paths relative to it. */
export function listFiles(dir: string, prefix = ""): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listFiles(dir, path));
    else files.push(path);
  }
  return files;
}

/** The digests a build records for the files it wrote itself (`vendor.json`, `apps.json`). */
export const FILE_DIGESTS = ["sha256", "sha512"] as const;
export type FileDigest = (typeof FILE_DIGESTS)[number];

/**
 * A file's digest, base64, as Subresource Integrity. sha256 by default: as strong a check of a
 * file the build copied, and several times faster to compute than sha512 where the CPU has SHA
 * instructions, which matters as every start hashes the whole runner again.
 */
export function fileIntegrity(path: string, digest: FileDigest = "sha256"): string {
  return `${digest}-${new Bun.CryptoHasher(digest).update(readFileSync(path)).digest("base64")}`;
}

/**
 * Makes a tree byte-for-byte reproducible in what `ls -l` and archivers see: files 0644 (0755
 * when any execute bit was set), folders 0755, and every mtime `seconds` (deepest first, so
 * setting a file's time does not move its folder's). Links keep their mode and are never followed.
 */
export function normalizeTree(dir: string, seconds: number, prefix = ""): void {
  const here = join(dir, prefix);
  for (const entry of readdirSync(here, { withFileTypes: true })) {
    const path = join(here, entry.name);
    if (entry.isSymbolicLink()) {
      lutimesSync(path, seconds, seconds); // never through the link: its target is not ours
      continue;
    }
    if (entry.isDirectory()) {
      normalizeTree(dir, seconds, prefix ? `${prefix}/${entry.name}` : entry.name);
      chmodSync(path, 0o755);
    } else {
      chmodSync(path, statSync(path).mode & 0o111 ? 0o755 : 0o644);
    }
    utimesSync(path, seconds, seconds);
  }
  utimesSync(here, seconds, seconds);
}
