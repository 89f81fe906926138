import { createPublicKey } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readManifest } from "@buntime/distro";
import { startRegistry } from "@buntime/registry-server";
import { generatePublisherKeys, packPlugin } from "@buntime/supply";

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

/** The publisher the first-party plugins are signed as (the registry's seeding user). */
export const FIRST_PARTY_PUBLISHER = "buntime";

/**
 * The first-party publisher's ed25519 key of this home, `<home>/publisher/first-party.pem`
 * (private, 0600): made on the first start, so the registry it signs for keeps one key, and a
 * lock made against it stays valid across restarts.
 */
export function firstPartyKey(home: string): { privateKey: string; publicKey: string } {
  const path = join(home, "publisher", "first-party.pem");
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // "wx": two starts racing on a fresh home keep the first key, the second reads it below
    try {
      writeFileSync(path, generatePublisherKeys().privateKey, { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const privateKey = readFileSync(path, "utf8");
  const publicKey = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  return { privateKey, publicKey };
}

/**
 * Starts a registry on loopback with its storage in `<home>/registry` and publishes every
 * plugin of the manifest at `manifestPath` (the first-party plugins) into it, signed by {@link FIRST_PARTY_PUBLISHER} with this home's key
 * (whose public half the registry then serves). A version the storage already holds keeps the
 * signatures it was published with: a home seeded unsigned (by `npm start`) stays unsigned,
 * and a publisher-signature policy refuses it.
 */
export async function startSignedRegistry(
  manifestPath: string,
  home: string,
  port: number,
): Promise<SignedRegistry> {
  const publisherKey = firstPartyKey(home);
  const registry = await startRegistry({ port, hostname: "127.0.0.1", storageDir: join(home, "registry") });
  const seeded: string[] = [];
  try {
    for (const folder of pluginFolders(manifestPath)) {
      const packed = packPlugin(folder);
      await registry.publishTarball(packed.tarball, { publisher: FIRST_PARTY_PUBLISHER, publisherKey });
      seeded.push(`${packed.name}@${packed.version}`);
    }
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return { url: registry.url, seeded, stop: () => registry.stop() };
}
