import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import type { MetadataStore, Signature } from "../storage/types.ts";
import { keyIdOf, spkiBase64 } from "./key-id.ts";

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
  const keyid = keyIdOf(publicKey);
  const entry: RegistryKey = {
    expires: null,
    keyid,
    keytype: "ecdsa-sha2-nistp256",
    scheme: "ecdsa-sha2-nistp256",
    key: spkiBase64(publicKey),
  };
  return {
    sign(name, version, integrity) {
      const sig = sign("sha256", Buffer.from(`${name}@${version}:${integrity}`), privateKey);
      return { keyid, sig: sig.toString("base64") };
    },
    verify(name, version, integrity, signature) {
      if (signature.keyid !== keyid) return false;
      const message = Buffer.from(`${name}@${version}:${integrity}`);
      return verify("sha256", message, publicKey, Buffer.from(signature.sig, "base64"));
    },
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
