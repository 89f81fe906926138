/**
 * The bundled registry keeps its storage in the home across starts: seeding the same plugins
 * again is a no-op, and a home seeded from a checkout whose plugin has since changed without a
 * new version is refused with what to remove, not served stale.
 */
import { describe, expect, it } from "bun:test";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startRegistry } from "@buntime/registry-server";
import { packPlugin } from "@buntime/supply";
import { tempDir } from "@buntime/test-kit/fixtures";
import { firstPartyPluginFolders, startSeededRegistry } from "../src/index.ts";

describe("the default distribution's seeded registry", () => {
  it("seeds a home once; a second start publishes nothing new", async () => {
    const home = tempDir();
    const first = await startSeededRegistry(home, 0);
    await first.stop();
    const second = await startSeededRegistry(home, 0);
    expect(second.seeded).toEqual(first.seeded);
    await second.stop();
  });

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
