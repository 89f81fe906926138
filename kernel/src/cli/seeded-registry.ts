import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { packPlugin } from "@buntime/sdk";
import { FIRST_PARTY_PLUGINS_DIR } from "./default-distribution.ts";

/** A registry running beside the kernel, holding the first-party plugins. */
export interface SeededRegistry {
  readonly url: string;
  /** `name@version` of every package it was seeded with. */
  readonly seeded: readonly string[];
  stop(): Promise<void>;
}

/** Folders under `dir` that hold a plugin package (`package.json` with a `buntime` field). */
async function pluginPackages(dir: string): Promise<string[]> {
  const folders: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const manifest = Bun.file(join(dir, entry.name, "package.json"));
    if ((await manifest.exists()) && typeof (await manifest.json()).buntime === "object") {
      folders.push(join(dir, entry.name));
    }
  }
  return folders.sort();
}

/**
 * Starts a registry on loopback with its storage in `<home>/registry` and publishes every
 * first-party plugin into it (publishing the same bytes again is a no-op, so restarts are
 * cheap). This is the default distribution's registry: `buntime plugin install` can reach the
 * first-party plugins right away. The registry server is loaded only when asked for.
 */
export async function startSeededRegistry(home: string, port: number): Promise<SeededRegistry> {
  const { startRegistry } = await import("@buntime/registry-server");
  const registry = await startRegistry({ port, hostname: "127.0.0.1", storageDir: join(home, "registry") });
  const seeded: string[] = [];
  try {
    for (const folder of await pluginPackages(FIRST_PARTY_PLUGINS_DIR)) {
      const packed = packPlugin(folder);
      await registry.publishTarball(packed.tarball);
      seeded.push(`${packed.name}@${packed.version}`);
    }
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return { url: registry.url, seeded, stop: () => registry.stop() };
}
