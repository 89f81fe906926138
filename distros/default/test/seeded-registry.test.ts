/**
 * The bundled registry keeps its storage in the home across starts: seeding the same plugins
 * again is a no-op, and a home seeded from a checkout whose plugin has since changed without a
 * new version is refused with what to remove, not served stale.
 */
import { describe, expect, it } from "bun:test";
import { cpSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIRST_PARTY_PUBLISHER, lockDistribution, parseManifest, serializeLock } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { startRegistry } from "@buntime/registry-server";
import { createRegistryClient, packPlugin } from "@buntime/supply";
import { tempDir } from "@buntime/test-kit/fixtures";
import { DEFAULT_MANIFEST, firstPartyPluginFolders, startSeededRegistry } from "../src/index.ts";

/** The default manifest's plugins under a policy requiring the first-party publisher's signature. */
const STRICT = parseManifest(
  {
    ...JSON.parse(readFileSync(DEFAULT_MANIFEST, "utf8")),
    $schema: undefined,
    policy: { signatures: "publisher", publishers: [FIRST_PARTY_PUBLISHER] },
  },
  "strict.json",
);

describe("the default distribution's seeded registry", () => {
  it("seeds a home once; a second start publishes nothing new", async () => {
    const home = tempDir();
    const first = await startSeededRegistry(home, 0);
    await first.stop();
    const second = await startSeededRegistry(home, 0);
    expect(second.seeded).toEqual(first.seeded);
    await second.stop();
  });

  it("signs the first-party plugins with the home's publisher key, so a publisher policy locks against it, the same key after a restart", async () => {
    const home = tempDir();
    const lockAgainst = async (url: string) =>
      serializeLock(
        await lockDistribution({
          manifest: STRICT,
          manifestPath: "strict.json",
          client: createRegistryClient({ registry: url }),
          kernelVersion: KERNEL_VERSION,
        }),
      );
    const first = await startSeededRegistry(home, 0);
    let text: string;
    try {
      expect(first.unsigned).toEqual([]);
      text = await lockAgainst(first.url);
    } finally {
      await first.stop();
    }
    const lock = JSON.parse(text);
    const [key, ...others] = lock.publisherKeys[FIRST_PARTY_PUBLISHER];
    expect(others).toEqual([]);
    for (const plugin of Object.values(lock.plugins) as { publisher: unknown }[])
      expect(plugin.publisher).toMatchObject({ name: FIRST_PARTY_PUBLISHER, keyid: key.keyid });
    expect(statSync(join(home, "publisher", "first-party.pem")).mode & 0o777).toBe(0o600);
    const second = await startSeededRegistry(home, 0);
    try {
      // the registry listens elsewhere now: all but its address is the same lock
      const again = await lockAgainst(second.url);
      expect(again.replaceAll(second.url, "URL")).toBe(text.replaceAll(first.url, "URL"));
    } finally {
      await second.stop();
    }
  }, 60_000);

  it("tells which plugins an earlier unsigned seeding left unsigned", async () => {
    const home = tempDir();
    const router = firstPartyPluginFolders().find((folder) => folder.endsWith(join("plugins", "router")));
    const old = await startRegistry({ port: 0, storageDir: join(home, "registry") });
    await old.publishTarball(packPlugin(router as string).tarball);
    await old.stop();
    const seeded = await startSeededRegistry(home, 0);
    await seeded.stop();
    expect(seeded.unsigned).toEqual(["@buntime/plugin-router@0.1.0"]);
  }, 60_000);

  it("refuses a home whose registry holds other files under a first-party version, naming what to remove", async () => {
    const home = tempDir();
    const router = firstPartyPluginFolders().find((folder) => folder.endsWith(join("plugins", "router")));
    const changed = join(tempDir(), "router");
    cpSync(router as string, changed, { recursive: true, filter: (path) => !path.includes("node_modules") });
    writeFileSync(join(changed, "README.md"), "an older checkout\n");
    const stale = await startRegistry({ port: 0, storageDir: join(home, "registry") });
    await stale.publishTarball(packPlugin(changed).tarball);
    await stale.stop();

    await expect(startSeededRegistry(home, 0)).rejects.toThrow(
      `${join(home, "registry")} exists already: it holds @buntime/plugin-router@0.1.0 with other files than ${router} (changed without a new version); remove it and ${join(home, "distro")} to seed the registry again`,
    );
  });
});
