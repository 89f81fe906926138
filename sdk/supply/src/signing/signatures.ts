import { createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { BuntimeError } from "@buntime/sdk";
import { keyIdOf, readPrivateKey, readPublicKey } from "./keys.ts";

/** A signature as registries serve it: the signing key's id and the base64 signature. */
export interface Signature {
  keyid: string;
  sig: string;
}

/** A public key a verifier trusts, with its id (npm's `/-/npm/v1/keys` entries fit). */
export interface TrustedKey {
  keyid: string;
  /** PEM or base64 SPKI DER. */
  key: string;
}

/**
 * Signs a tarball's integrity string (`sha512-…`) with a publisher's ed25519 private key (PEM),
 * the form the registry accepts as `dist.publisherSignature`.
 */
export function signIntegrity(privateKeyPem: string, integrity: string): Signature {
  const privateKey = readPrivateKey(privateKeyPem);
  return {
    keyid: keyIdOf(createPublicKey(privateKey)),
    sig: sign(null, Buffer.from(integrity), privateKey).toString("base64"),
  };
}

/** What a registry signature covers, in npm's convention. */
function registryMessage(name: string, version: string, integrity: string): Buffer {
  return Buffer.from(`${name}@${version}:${integrity}`);
}

/**
 * Signs a published version as a registry does, in npm's convention: ECDSA P-256 with SHA-256
 * over `${name}@${version}:${integrity}`, the DER signature in base64, as `dist.signatures`
 * entries carry it.
 */
export function signRegistryVersion(
  privateKey: KeyObject,
  name: string,
  version: string,
  integrity: string,
): Signature {
  return {
    keyid: keyIdOf(createPublicKey(privateKey)),
    sig: sign("sha256", registryMessage(name, version, integrity), privateKey).toString("base64"),
  };
}

/** A key of the wrong kind for the algorithm (an ed25519 key for ECDSA) matches nothing. */
function matches(algorithm: string | null, message: Buffer, publicKey: KeyObject, sig: string): boolean {
  try {
    return verify(algorithm, message, publicKey, Buffer.from(sig, "base64"));
  } catch {
    return false;
  }
}

function check(
  signatures: readonly Signature[],
  keys: readonly TrustedKey[],
  message: Buffer,
  algorithm: string | null,
): { verified: Signature | undefined; unknownKeys: string[] } {
  const unknownKeys: string[] = [];
  for (const signature of signatures) {
    const trusted = keys.find((key) => key.keyid === signature.keyid);
    if (!trusted) {
      unknownKeys.push(signature.keyid);
      continue;
    }
    const publicKey = readPublicKey(trusted.key, signature.keyid);
    if (matches(algorithm, message, publicKey, signature.sig)) return { verified: signature, unknownKeys };
  }
  return { verified: undefined, unknownKeys };
}

function refuse(pkg: string, kind: string, signatures: readonly Signature[], unknownKeys: string[]): never {
  const details =
    unknownKeys.length === signatures.length
      ? `signed with ${unknownKeys.join(", ")}, none of them a trusted key`
      : "the signature does not match the tarball";
  throw new BuntimeError("BUNTIME_ERR_SIGNATURE_INVALID", { package: pkg, kind, details });
}

/**
 * Verifies npm-style registry signatures (ECDSA P-256, SHA-256, over
 * `${name}@${version}:${integrity}`) against the registry's trusted keys. Returns the signature
 * that verified; throws `BUNTIME_ERR_SIGNATURE_INVALID` when none does.
 */
export function verifyRegistrySignature(
  name: string,
  version: string,
  integrity: string,
  signatures: readonly Signature[],
  keys: readonly TrustedKey[],
): Signature {
  const message = registryMessage(name, version, integrity);
  const { verified, unknownKeys } = check(signatures, keys, message, "sha256");
  return verified ?? refuse(`${name}@${version}`, "registry", signatures, unknownKeys);
}

/**
 * Verifies publisher ed25519 signatures over the integrity string against the publisher's
 * keys. Returns the signature that verified; throws `BUNTIME_ERR_SIGNATURE_INVALID` when none does.
 */
export function verifyPublisherSignature(
  pkg: string,
  integrity: string,
  signatures: readonly Signature[],
  keys: readonly TrustedKey[],
): Signature {
  const { verified, unknownKeys } = check(signatures, keys, Buffer.from(integrity), null);
  return verified ?? refuse(pkg, "publisher", signatures, unknownKeys);
}
