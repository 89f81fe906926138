import { join } from "node:path";
import { startRegistry } from "@buntime/registry-server";
import { BuntimeError, isBuntimeError } from "@buntime/sdk";
import { type PackedPlugin, packPackage, packPlugin } from "@buntime/supply";
import { authorPackageFolders, firstPartyPluginFolders } from "./first-party.ts";

/** A registry running beside the kernel, holding the first-party plugins and the author packages. */
export interface SeededRegistry {
  readonly url: string;
  /** `name@version` of every package it was seeded with. */
  readonly seeded: readonly string[];
  /**
   * `name@version` of author packages (`@buntime/sdk`, `@buntime/kernel`) whose checkout differs
   * from the copy the registry already holds under that version: the stored copy is kept.
   */
  readonly kept: readonly string[];
  stop(): Promise<void>;
}

/** Publishes a packed package; `false` when that version is already there with other bytes. */
async function publishOnce(
  registry: { publishTarball(tarball: Uint8Array): Promise<unknown> },
  packed: PackedPlugin,
) {
  try {
    await registry.publishTarball(packed.tarball);
    return true;
  } catch (error) {
    if (!isBuntimeError(error, "BUNTIME_ERR_REGISTRY_VERSION_EXISTS")) throw error;
    return false;
  }
}

/**
 * Starts a registry on loopback with its storage in `<home>/registry` and publishes every
 * first-party plugin into it, and the packages a plugin author installs (`@buntime/sdk`,
 * `@buntime/kernel` for its test harness). Publishing the same bytes again is a no-op, so
 * restarts are cheap. This is the default distribution's registry: `buntime plugin install`
 * reaches the first-party plugins right away, and `npm install` in a plugin made by
 * `buntime plugin create` finds `@buntime/*` there.
 */
export async function startSeededRegistry(home: string, port: number): Promise<SeededRegistry> {
  const registry = await startRegistry({ port, hostname: "127.0.0.1", storageDir: join(home, "registry") });
  const seeded: string[] = [];
  const kept: string[] = [];
  try {
    for (const folder of firstPartyPluginFolders()) {
      const packed = packPlugin(folder);
      if (!(await publishOnce(registry, packed))) {
        // a checkout whose plugin changed without a new version: the stored one would be served
        throw new BuntimeError("BUNTIME_ERR_DISTRO_EXISTS", {
          path: join(home, "registry"),
          details: `it holds ${packed.name}@${packed.version} with other files than ${folder} (changed without a new version); remove it and ${join(home, "distro")} to seed the registry again`,
        });
      }
      seeded.push(`${packed.name}@${packed.version}`);
    }
    for (const folder of authorPackageFolders()) {
      const packed = packPackage(folder);
      // the kernel's sources change often in a checkout; authors keep the copy first published
      ((await publishOnce(registry, packed)) ? seeded : kept).push(`${packed.name}@${packed.version}`);
    }
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return { url: registry.url, seeded, kept, stop: () => registry.stop() };
}
