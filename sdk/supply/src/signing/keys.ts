import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { BuntimeError } from "@buntime/sdk";

/** A publisher's ed25519 key pair, as PEM text. */
export interface PublisherKeyPair {
  /** PKCS#8 PEM; keep it secret. */
  privateKey: string;
  /** SPKI PEM; register it with the registry. */
  publicKey: string;
  /** npm-style key id: `SHA256:` + unpadded base64 of the sha256 of the SPKI DER. */
  keyid: string;
}

/** npm's key id convention for any public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}`;
}

/** A public key as registries serve it: base64 of its SPKI DER. */
export function spkiOf(publicKey: KeyObject): string {
  return publicKey.export({ type: "spki", format: "der" }).toString("base64");
}

/** Generates a fresh ed25519 publisher key pair. */
export function generatePublisherKeys(): PublisherKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    keyid: keyIdOf(publicKey),
  };
}

/**
 * Reads a public key given as PEM or as base64 SPKI DER (the form registries serve).
 * Throws `BUNTIME_ERR_SIGNATURE_KEY_INVALID` for anything else.
 */
export function readPublicKey(text: string, source = "public key"): KeyObject {
  // createPublicKey would derive the public half; a private key must never travel this way
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new BuntimeError("BUNTIME_ERR_SIGNATURE_KEY_INVALID", {
      source,
      details: "a private key, where a public key belongs (keep it secret)",
    });
  }
  try {
    return text.includes("-----BEGIN")
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "spki" });
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_SIGNATURE_KEY_INVALID",
      { source, details: "not a PEM or base64 SPKI public key" },
      { cause: error },
    );
  }
}

function requireEd25519(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new BuntimeError("BUNTIME_ERR_SIGNATURE_KEY_INVALID", {
      source,
      details: `expected an ed25519 key, got ${key.asymmetricKeyType}`,
    });
  }
  return key;
}

/**
 * Reads a publisher's public key (PEM or base64 SPKI DER), which must be ed25519. Throws
 * `BUNTIME_ERR_SIGNATURE_KEY_INVALID` for anything else.
 */
export function readPublisherKey(text: string, source = "publisher key"): KeyObject {
  return requireEd25519(readPublicKey(text, source), source);
}

/** Reads an ed25519 private key (PKCS#8 PEM). Throws `BUNTIME_ERR_SIGNATURE_KEY_INVALID` otherwise. */
export function readPrivateKey(pem: string, source = "private key"): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_SIGNATURE_KEY_INVALID",
      { source, details: "not a PEM private key" },
      { cause: error },
    );
  }
  return requireEd25519(key, source);
}
