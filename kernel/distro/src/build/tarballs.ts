import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import { integrityOf, matchesIntegrity, type RegistryClient } from "@buntime/supply";
import { writeFileAtomic } from "../atomic-write.ts";
import type { LockedPackage } from "../lock/schema.ts";

/** Where a build gets a locked package's tarball (a plugin's or a registry app's), by package name. */
export type TarballSource = (name: string, plugin: LockedPackage) => Promise<Uint8Array>;

/** A cache file name for an integrity: its digest in hex, so any string maps to a safe name. */
function cacheName(integrity: string): string {
  return `${Buffer.from(integrity.slice("sha512-".length), "base64").toString("hex")}.tgz`;
}

/**
 * Tarballs from a content-addressed cache folder, else from the registry (then cached). A cached
 * file is used only when its bytes still match the integrity, so a warm cache builds offline
 * and a corrupted entry is fetched again. Every tarball answered matches the lock's integrity
 * (`BUNTIME_ERR_CLIENT_INTEGRITY_MISMATCH` otherwise).
 */
export function cachedTarballs(cacheDir: string, client: RegistryClient | undefined): TarballSource {
  return async (name, plugin) => {
    const label = `${name}@${plugin.version}`;
    const cached = join(cacheDir, cacheName(plugin.integrity));
    if (existsSync(cached)) {
      const bytes = readFileSync(cached);
      if (matchesIntegrity(bytes, plugin.integrity)) return bytes;
    }
    if (!client) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_NOT_FOUND", {
        what: `tarball of ${label} in the cache`,
        path: cached,
      });
    }
    const packument = await client.packument(name);
    const doc = packument?.versions[plugin.version];
    if (!doc)
      throw new BuntimeError("BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN", {
        package: label,
        registry: client.registry,
      });
    if (doc.dist.integrity !== plugin.integrity) {
      throw new BuntimeError("BUNTIME_ERR_CLIENT_INTEGRITY_MISMATCH", {
        package: label,
        actual: doc.dist.integrity,
        expected: plugin.integrity,
      });
    }
    const bytes = await client.tarball(doc.dist.tarball, plugin.integrity, label);
    if (integrityOf(bytes) === plugin.integrity) writeFileAtomic(cached, bytes);
    return bytes;
  };
}
