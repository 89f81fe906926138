import { describe, expect, it } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildDistribution,
  cachedTarballs,
  FIRST_PARTY_PUBLISHER,
  lockAndBuild,
  readLock,
  readManifest,
  verifyBuild,
} from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { startRegistry } from "@buntime/registry-server";
import { createRegistryClient, packPlugin } from "@buntime/supply";
import { tempDir } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { pluginFolders, SECURE_MANIFEST, startSignedRegistry } from "../src/index.ts";

const NO_BWRAP = skipWithoutSandbox();
const MODULES = join(import.meta.dir, "..", "..", "..", "node_modules");

/** Locks and builds the secure manifest against `url` into `<home>/distro`, as the start does. */
function lockAndBuildAgainst(url: string, home: string) {
  return lockAndBuild({
    manifestPath: SECURE_MANIFEST,
    client: createRegistryClient({ registry: url }),
    kernelVersion: KERNEL_VERSION,
    workDir: join(home, "distro"),
    builder: "test",
    linkModules: MODULES,
  });
}

describe("the secure distribution", () => {
  it("locks and builds against a registry seeded with publisher-signed first-party plugins, one key per home", async () => {
    const home = tempDir();
    const registry = await startSignedRegistry(SECURE_MANIFEST, home, 0);
    try {
      const { build } = await lockAndBuildAgainst(registry.url, home);
      const lock = readLock(join(home, "distro", "distro.lock.json"));
      const manifest = JSON.parse(readFileSync(SECURE_MANIFEST, "utf8"));
      expect(Object.keys(lock.plugins).sort()).toEqual(Object.keys(manifest.plugins).sort());
      const [key] = lock.publisherKeys[FIRST_PARTY_PUBLISHER] ?? [];
      for (const plugin of Object.values(lock.plugins)) {
        expect(plugin.publisher).toMatchObject({ name: FIRST_PARTY_PUBLISHER, keyid: key?.keyid });
      }
      expect(verifyBuild(build).pluginFolders).toHaveLength(Object.keys(manifest.plugins).length);
      expect(statSync(join(home, "publisher", "first-party.pem")).mode & 0o777).toBe(0o600);
      // its Helm chart: every first-party plugin's settings schema is the plugin's own
      const manifestRead = readManifest(SECURE_MANIFEST);
      const chart = await buildDistribution({
        manifest: manifestRead,
        manifestPath: SECURE_MANIFEST,
        lock,
        lockPath: join(home, "distro", "distro.lock.json"),
        out: join(home, "chart"),
        tarballs: cachedTarballs(join(home, "distro", "tarballs"), undefined),
        builder: "test",
        linkModules: MODULES,
        docker: { bunVersion: Bun.version },
        helm: true,
      });
      expect(chart.derivedSchemas).toEqual({});
      const values = JSON.parse(readFileSync(join(home, "chart", "helm", "values.schema.json"), "utf8"));
      expect(values.properties.plugins.properties["@buntime/plugin-storage"].properties.backend.enum).toEqual(
        ["sqlite", "postgres"],
      );
    } finally {
      await registry.stop();
    }
    // a restart keeps the key, so the lock still holds
    const again = await startSignedRegistry(SECURE_MANIFEST, home, 0);
    try {
      const { rebuilt } = await lockAndBuildAgainst(again.url, home);
      expect(rebuilt).toBe(false);
    } finally {
      await again.stop();
    }
  }, 120_000);

  it("refuses plugins seeded unsigned (as npm start seeded them before it signed), naming one, and builds nothing", async () => {
    const home = tempDir();
    const unsigned = await startRegistry({
      port: 0,
      hostname: "127.0.0.1",
      storageDir: join(home, "registry"),
    });
    for (const folder of pluginFolders(SECURE_MANIFEST))
      await unsigned.publishTarball(packPlugin(folder).tarball);
    try {
      const refused = await lockAndBuildAgainst(unsigned.url, home).catch((error: Error) => error);
      expect((refused as { code?: string }).code).toBe("BUNTIME_ERR_SIGNATURE_MISSING");
      expect(String(refused)).toMatch(
        /@buntime\/(plugin-[a-z]+|shell)@0\.1\.0: no publisher signature, and the signature policy 'publisher' requires one/,
      );
      expect(existsSync(join(home, "distro", "build"))).toBe(false);
    } finally {
      await unsigned.stop();
    }
    // seeding the same home signed afterwards adds no signature to versions already stored
    const signed = await startSignedRegistry(SECURE_MANIFEST, home, 0);
    try {
      const refused = await lockAndBuildAgainst(signed.url, home).catch((error: Error) => error);
      expect((refused as { code?: string }).code).toBe("BUNTIME_ERR_SIGNATURE_MISSING");
    } finally {
      await signed.stop();
    }
  }, 120_000);

  it.skipIf(NO_BWRAP)(
    "starts: health, provenance, and an app in a process sandbox",
    async () => {
      const home = tempDir();
      chmodSync(home, 0o711); // the sandbox's user walks to the app
      mkdirSync(join(home, "apps", "hello"), { recursive: true });
      writeFileSync(
        join(home, "apps", "hello", "index.ts"),
        'export default { fetch: () => new Response("hi") };\n',
      );
      const child = Bun.spawn(
        [
          process.execPath,
          join(import.meta.dir, "..", "src", "start.ts"),
          ...["--port", "0", "--home", home, "--registry-port", "0"],
        ],
        { cwd: home, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: home } },
      );
      try {
        const { url, output } = await untilListening(child.stdout);
        expect(output).toContain("seeded (publisher-signed) with");
        expect((await fetch(new URL("/_/api/health", url))).status).toBe(200);
        expect((await (await fetch(new URL("/.well-known/buntime", url))).json()).name).toBe(
          "buntime-secure",
        );
        expect(await (await fetch(new URL("/hello/", url))).text()).toBe("hi");
        const pool = await (await fetch(new URL("/_/api/pool", url))).json();
        const hello = Object.entries(pool.apps).find(([key]) => key.startsWith("hello@"));
        expect((hello?.[1] as { isolation?: string } | undefined)?.isolation).toBe("process");
        child.kill("SIGTERM");
        expect(await child.exited).toBe(0);
      } finally {
        child.kill("SIGKILL");
      }
    },
    120_000,
  );
});
