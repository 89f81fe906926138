import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync } from "node:fs";
import { BuntimeError } from "@buntime/sdk";
import { keyIdOf, signRegistryVersion, spkiOf, verifyRegistrySignature } from "@buntime/supply";
import type { MetadataStore, Signature } from "../storage/types.ts";
import { loadSigningKeyFile, type SigningKeyFile } from "./key-file.ts";
import { verifies } from "./verifies.ts";

const SETTING = "registry-signing-key";

/** One entry of `/-/npm/v1/keys`, in the shape `npm audit signatures` reads. */
export interface RegistryKey {
  expires: string | null;
  keyid: string;
  keytype: "ecdsa-sha2-nistp256";
  scheme: "ecdsa-sha2-nistp256";
  key: string;
}

/** Signs versions with the registry's ECDSA P-256 key, npm's convention. */
export interface RegistrySigner {
  /** Signs `${name}@${version}:${integrity}` (SHA-256, DER signature, base64). */
  sign(name: string, version: string, integrity: string): Signature;
  /** True when `signature` is this registry's valid signature of the version. */
  verify(name: string, version: string, integrity: string, signature: Signature): boolean;
  /** The public keys for `/-/npm/v1/keys`. */
  keys(): RegistryKey[];
}

function signerFor(privateKey: KeyObject): RegistrySigner {
  const publicKey = createPublicKey(privateKey);
  const entry: RegistryKey = {
    expires: null,
    keyid: keyIdOf(publicKey),
    keytype: "ecdsa-sha2-nistp256",
    scheme: "ecdsa-sha2-nistp256",
    key: spkiOf(publicKey),
  };
  const trusted = [{ keyid: entry.keyid, key: entry.key }];
  return {
    sign: (name, version, integrity) => signRegistryVersion(privateKey, name, version, integrity),
    verify: (name, version, integrity, signature) =>
      verifies(() => verifyRegistrySignature(name, version, integrity, [signature], trusted)),
    keys: () => [entry],
  };
}

function freshPem(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/**
 * Loads the registry signing key. With `file`, from that file only (see `loadSigningKeyFile`):
 * nothing of the key goes into the metadata store, and a key an older registry kept there is
 * moved into the new file so existing signatures still verify. Without one (embedding and
 * tests), from the metadata store, created on first use; nodes sharing one store agree on it
 * because the first stored key wins.
 */
export async function loadRegistrySigner(
  metadata: MetadataStore,
  file?: SigningKeyFile,
): Promise<RegistrySigner> {
  if (file) {
    // an empty setting marks "no key in the store" without putting one there
    const legacy = file.create && !existsSync(file.path) ? await metadata.settingOrInit(SETTING, "") : "";
    return signerFor(loadSigningKeyFile(file, () => legacy || freshPem()));
  }
  const stored = await metadata.settingOrInit(SETTING, freshPem());
  if (stored === "") {
    // a registry with a key file used this store: signing with another key would break its signatures
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID", {
      path: "(metadata store)",
      details: "this store's registry keeps its key in a file; pass that file as signingKey",
    });
  }
  return signerFor(createPrivateKey(stored));
}
