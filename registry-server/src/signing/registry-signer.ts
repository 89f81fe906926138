import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { keyIdOf, signRegistryVersion, spkiOf, verifyRegistrySignature } from "@buntime/supply";
import type { MetadataStore, Signature } from "../storage/types.ts";
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

/**
 * Loads the registry signing key from the metadata store, creating it on first use. Several
 * nodes sharing one store agree on the key because the first stored one wins.
 */
export async function loadRegistrySigner(metadata: MetadataStore): Promise<RegistrySigner> {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const fresh = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const stored = await metadata.settingOrInit(SETTING, fresh);
  return signerFor(createPrivateKey(stored));
}
