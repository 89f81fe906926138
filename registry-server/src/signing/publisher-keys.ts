import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { BuntimeError } from "@buntime/sdk";
import type { PublisherKey, Signature } from "../storage/types.ts";
import { keyIdOf, spkiBase64 } from "./key-id.ts";

/** Parses an ed25519 public key given as PEM or base64 SPKI DER. */
export function parsePublisherKey(text: unknown): { keyid: string; publicKey: string } {
  if (typeof text !== "string" || text.length === 0 || text.length > 4096) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_KEY_INVALID", { details: "publicKey must be a string" });
  }
  let key: KeyObject;
  try {
    key = text.includes("BEGIN PUBLIC KEY")
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "spki" });
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_REGISTRY_KEY_INVALID",
      { details: "not a public key" },
      { cause: error },
    );
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_KEY_INVALID", {
      details: `expected an ed25519 key, got ${key.asymmetricKeyType}`,
    });
  }
  return { keyid: keyIdOf(key), publicKey: spkiBase64(key) };
}

/** True when `signature` is an ed25519 signature of `integrity` by `key`. */
export function verifyPublisherSignature(
  key: PublisherKey,
  integrity: string,
  signature: Signature,
): boolean {
  try {
    const publicKey = createPublicKey({
      key: Buffer.from(key.publicKey, "base64"),
      format: "der",
      type: "spki",
    });
    return verify(null, Buffer.from(integrity), publicKey, Buffer.from(signature.sig, "base64"));
  } catch {
    return false;
  }
}
