/**
 * Seeding a distribution's bundled registry with first-party plugins, signed by the
 * first-party publisher with a key kept in the home: what the default and the secure
 * distributions share (a distribution may not import another).
 */
import { createPublicKey } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BuntimeError, isBuntimeError } from "@buntime/sdk";
import { generatePublisherKeys, type PackedPlugin, packPlugin } from "@buntime/supply";

/** The publisher the first-party plugins are signed as (the registry's seeding user). */
export const FIRST_PARTY_PUBLISHER = "buntime";

/** An ed25519 key pair, PEM. */
export interface PublisherKeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * The first-party publisher's ed25519 key of this home, `<home>/publisher/first-party.pem`
 * (private, 0600, in a 0700 folder): made on the first start and reused after, so the registry
 * it signs for keeps one key and a lock made against it stays valid across restarts.
 */
export function homePublisherKey(home: string): PublisherKeyPair {
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

/** A registry to seed: the in-process publish of `@buntime/registry-server`'s `startRegistry`. */
export interface SeedTarget {
  publishTarball(
    tarball: Uint8Array,
    options?: { publisher?: string; publisherKey?: PublisherKeyPair },
  ): Promise<{ publisherSignature?: unknown }>;
}

/** What seeding published. */
export interface Seeded {
  /** `name@version` of every package seeded (or already there with the same bytes). */
  seeded: string[];
  /** `name@version` stored earlier without a publisher signature: a stored version keeps its signatures. */
  unsigned: string[];
}

/**
 * Publishes `packed` signed by the first-party publisher with `key`; `false` when the registry
 * holds that version with other bytes. A version stored earlier with the same bytes is left as
 * it is (with the signatures it was first published with).
 */
export async function publishFirstParty(
  registry: SeedTarget,
  packed: PackedPlugin,
  key: PublisherKeyPair,
): Promise<{ published: boolean; signed: boolean }> {
  try {
    const record = await registry.publishTarball(packed.tarball, {
      publisher: FIRST_PARTY_PUBLISHER,
      publisherKey: key,
    });
    return { published: true, signed: Boolean(record.publisherSignature) };
  } catch (error) {
    if (!isBuntimeError(error, "BUNTIME_ERR_REGISTRY_VERSION_EXISTS")) throw error;
    return { published: false, signed: false };
  }
}

/**
 * Seeds a registry whose storage is `storageDir` with the plugins in `folders`, each packed
 * and signed by {@link FIRST_PARTY_PUBLISHER} with the home's key (the registry registers its
 * public half to that publisher). A stored version with other bytes (a checkout changed without
 * a new version) is `BUNTIME_ERR_DISTRO_EXISTS` naming what to remove, never served stale.
 */
export async function seedFirstPartyPlugins(
  registry: SeedTarget,
  folders: readonly string[],
  key: PublisherKeyPair,
  where: { storageDir: string; workDir: string },
): Promise<Seeded> {
  const seeded: string[] = [];
  const unsigned: string[] = [];
  for (const folder of folders) {
    const packed = packPlugin(folder);
    const label = `${packed.name}@${packed.version}`;
    const outcome = await publishFirstParty(registry, packed, key);
    if (!outcome.published) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_EXISTS", {
        path: where.storageDir,
        details: `it holds ${label} with other files than ${folder} (changed without a new version); remove it and ${where.workDir} to seed the registry again`,
      });
    }
    seeded.push(label);
    if (!outcome.signed) unsigned.push(label);
  }
  return { seeded, unsigned };
}
