import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import type { ClusterSupply, DesiredPlugin } from "./supply.ts";

/** `sha512-<base64>` as the hex file name it is cached under; undefined for any other form. */
function cacheName(integrity: string): string | undefined {
  const match = /^sha512-([A-Za-z0-9+/]{86}==)$/.exec(integrity);
  return match ? `sha512-${Buffer.from(match[1] as string, "base64").toString("hex")}.tgz` : undefined;
}

/** The integrity of `bytes` in the lockfile's form. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${new Bun.CryptoHasher("sha512").update(bytes).digest("base64")}`;
}

/** What the cache did for one plugin, so tests and logs can tell a hit from a download. */
export type CacheOutcome = "hit" | "downloaded";

/**
 * A node's content-addressed cache of plugin tarballs, one file per integrity under `dir`
 * (`<home>/cache/plugins`): filled from the supply, checked against the integrity on every read
 * and write, so a restart never downloads again and a corrupted file is fetched anew.
 */
export class PluginCache {
  readonly #dir: string;
  readonly #supply: ClusterSupply;

  constructor(dir: string, supply: ClusterSupply) {
    this.#dir = dir;
    this.#supply = supply;
  }

  /** The tarball of `plugin`, from the cache or else the supply; throws when it does not verify. */
  async tarball(plugin: DesiredPlugin): Promise<{ bytes: Uint8Array; outcome: CacheOutcome }> {
    const label = `${plugin.name}@${plugin.version}`;
    const name = cacheName(plugin.integrity);
    if (!name) {
      throw new BuntimeError("BUNTIME_ERR_CLUSTER_INTEGRITY_MISMATCH", {
        plugin: label,
        actual: "(not checked)",
        expected: `a sha512 integrity, not ${JSON.stringify(plugin.integrity.slice(0, 80))}`,
      });
    }
    const path = join(this.#dir, name);
    if (existsSync(path)) {
      const cached = new Uint8Array(readFileSync(path));
      if (integrityOf(cached) === plugin.integrity) return { bytes: cached, outcome: "hit" };
      rmSync(path, { force: true }); // damaged on disk: fetch it again
    }
    const bytes = await this.#supply.fetchTarball(plugin);
    const actual = integrityOf(bytes);
    if (actual !== plugin.integrity) {
      throw new BuntimeError("BUNTIME_ERR_CLUSTER_INTEGRITY_MISMATCH", {
        plugin: label,
        actual,
        expected: plugin.integrity,
      });
    }
    mkdirSync(this.#dir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
    return { bytes, outcome: "downloaded" };
  }
}
