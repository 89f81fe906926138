import { dirname, join } from "node:path";
import { homePublisherKey, readManifest, seedFirstPartyPlugins } from "@buntime/distro";
import { startRegistry } from "@buntime/registry-server";

/** A registry running beside the kernel, holding the first-party plugins. */
export interface SignedRegistry {
  readonly url: string;
  /** `name@version` of every package it was seeded with. */
  readonly seeded: readonly string[];
  stop(): Promise<void>;
}

/**
 * The folder of each plugin `manifestPath` names: the first-party plugins, found the way any
 * package is, by name (each is a dependency of this package).
 */
export function pluginFolders(manifestPath: string): string[] {
  return Object.keys(readManifest(manifestPath).plugins)
    .sort()
    .map((name) => dirname(Bun.resolveSync(`${name}/package.json`, import.meta.dir)));
}

/**
 * Starts a registry on loopback with its storage in `<home>/registry` and seeds it with every
 * plugin of the manifest at `manifestPath`, signed by the first-party publisher with this
 * home's key, as `npm start` seeds its registry (`seedFirstPartyPlugins` of `@buntime/distro`).
 * A version the storage already holds keeps the signatures it was published with: a home
 * seeded unsigned (by an older `npm start`) stays unsigned, and the publisher policy refuses it.
 */
export async function startSignedRegistry(
  manifestPath: string,
  home: string,
  port: number,
): Promise<SignedRegistry> {
  const storageDir = join(home, "registry");
  const registry = await startRegistry({ port, hostname: "127.0.0.1", storageDir });
  try {
    const where = { storageDir, workDir: join(home, "distro") };
    const folders = pluginFolders(manifestPath);
    const { seeded } = await seedFirstPartyPlugins(registry, folders, homePublisherKey(home), where);
    return { url: registry.url, seeded, stop: () => registry.stop() };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}
