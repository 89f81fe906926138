import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** An upstream packument as cached: who served it, when, and its ETag for revalidation. */
export interface CachedPackument {
  uplink: string;
  fetchedAt: number;
  etag?: string;
  packument: Record<string, unknown>;
}

/** Writes a file whole or not at all (a crash leaves the old one or nothing, never half). */
function writeAtomically(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, bytes, { mode: 0o600 });
  renameSync(temp, path);
}

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * The uplink cache: files under one folder of this node (`packuments/<name>.json`,
 * `tarballs/<name>/<version>.tgz`), kept apart from the registry's storage so the start-up
 * sweep of unreferenced tarballs never touches them and a published package never mixes with a
 * proxied one. Names are URI-encoded into one path segment; versions are checked semver.
 */
export interface UplinkCache {
  getPackument(name: string): Promise<CachedPackument | undefined>;
  putPackument(name: string, entry: CachedPackument): void;
  getTarball(name: string, version: string): Promise<Uint8Array | undefined>;
  putTarball(name: string, version: string, bytes: Uint8Array): void;
}

/** The uplink cache in `dir`. */
export function createUplinkCache(dir: string): UplinkCache {
  const segment = (name: string) => encodeURIComponent(name);
  const packumentPath = (name: string) => join(dir, "packuments", `${segment(name)}.json`);
  const tarballPath = (name: string, version: string) =>
    join(dir, "tarballs", segment(name), `${segment(version)}.tgz`);
  return {
    async getPackument(name) {
      const bytes = await readOrUndefined(packumentPath(name));
      if (!bytes) return undefined;
      try {
        return JSON.parse(bytes.toString("utf8")) as CachedPackument;
      } catch {
        return undefined; // a damaged entry is refetched
      }
    },
    putPackument(name, entry) {
      writeAtomically(packumentPath(name), JSON.stringify(entry));
    },
    async getTarball(name, version) {
      return readOrUndefined(tarballPath(name, version));
    },
    putTarball(name, version, bytes) {
      writeAtomically(tarballPath(name, version), bytes);
    },
  };
}
