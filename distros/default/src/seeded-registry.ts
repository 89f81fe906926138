import { join } from "node:path";
import { startRegistry } from "@buntime/registry-server";
import { BuntimeError, isBuntimeError } from "@buntime/sdk";
import { packPlugin } from "@buntime/supply";
import { firstPartyPluginFolders } from "./first-party.ts";

/** A registry running beside the kernel, holding the first-party plugins. */
export interface SeededRegistry {
  readonly url: string;
  /** `name@version` of every package it was seeded with. */
  readonly seeded: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts a registry on loopback with its storage in `<home>/registry` and publishes every
 * first-party plugin into it (publishing the same bytes again is a no-op, so restarts are
 * cheap). This is the default distribution's registry: `buntime plugin install` can reach the
 * first-party plugins right away.
 */
export async function startSeededRegistry(home: string, port: number): Promise<SeededRegistry> {
  const registry = await startRegistry({ port, hostname: "127.0.0.1", storageDir: join(home, "registry") });
  const seeded: string[] = [];
  try {
    for (const folder of firstPartyPluginFolders()) {
      const packed = packPlugin(folder);
      try {
        await registry.publishTarball(packed.tarball);
      } catch (error) {
        if (!isBuntimeError(error, "BUNTIME_ERR_REGISTRY_VERSION_EXISTS")) throw error;
        // a checkout whose plugin changed without a new version: the stored one would be served
        throw new BuntimeError(
          "BUNTIME_ERR_DISTRO_EXISTS",
          {
            path: join(home, "registry"),
            details: `it holds ${packed.name}@${packed.version} with other files than ${folder} (changed without a new version); remove it and ${join(home, "distro")} to seed the registry again`,
          },
          { cause: error },
        );
      }
      seeded.push(`${packed.name}@${packed.version}`);
    }
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return { url: registry.url, seeded, stop: () => registry.stop() };
}
