import { join } from "node:path";
import { homePublisherKey, publishFirstParty, seedFirstPartyPlugins } from "@buntime/distro";
import { startRegistry } from "@buntime/registry-server";
import { packPackage } from "@buntime/supply";
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
  /**
   * `name@version` of first-party plugins this home's registry stored earlier without a
   * publisher signature (seeded by an older `npm start`): they stay unsigned, so a distribution
   * with `signatures: "publisher"` cannot lock them until `<home>/registry` is seeded afresh.
   */
  readonly unsigned: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts a registry on loopback with its storage in `<home>/registry` and publishes every
 * first-party plugin into it, signed by the first-party publisher (`buntime`) with this home's
 * key (`<home>/publisher/first-party.pem`, made on the first start; the registry registers its
 * public half to that publisher), and the packages a plugin author installs (`@buntime/sdk`,
 * `@buntime/kernel` for its test harness). Publishing the same bytes again is a no-op, so
 * restarts are cheap. This is the default distribution's registry: `buntime plugin install`
 * reaches the first-party plugins right away, a distribution requiring publisher signatures
 * locks against it, and `npm install` in a plugin made by `buntime plugin create` finds
 * `@buntime/*` there.
 */
export async function startSeededRegistry(home: string, port: number): Promise<SeededRegistry> {
  const storageDir = join(home, "registry");
  const registry = await startRegistry({ port, hostname: "127.0.0.1", storageDir });
  const key = homePublisherKey(home);
  const kept: string[] = [];
  try {
    const where = { storageDir, workDir: join(home, "distro") };
    const plugins = await seedFirstPartyPlugins(registry, firstPartyPluginFolders(), key, where);
    const seeded = [...plugins.seeded];
    for (const folder of authorPackageFolders()) {
      const packed = packPackage(folder);
      // the kernel's sources change often in a checkout; authors keep the copy first published
      const { published } = await publishFirstParty(registry, packed, key);
      (published ? seeded : kept).push(`${packed.name}@${packed.version}`);
    }
    return { url: registry.url, seeded, kept, unsigned: plugins.unsigned, stop: () => registry.stop() };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}
