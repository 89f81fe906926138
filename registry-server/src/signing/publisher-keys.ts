import { BuntimeError, isBuntimeError } from "@buntime/sdk";
import { keyIdOf, readPublisherKey, spkiOf, verifyPublisherSignature } from "@buntime/supply";
import type { PublisherKey, Signature } from "../storage/types.ts";
import { verifies } from "./verifies.ts";

/**
 * Reads a publisher's ed25519 public key, given as PEM or base64 SPKI DER, into the id and
 * form the registry stores. Throws `BUNTIME_ERR_REGISTRY_KEY_INVALID` for anything else.
 */
export function parsePublisherKey(text: unknown): { keyid: string; publicKey: string } {
  if (typeof text !== "string" || text.length === 0 || text.length > 4096) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_KEY_INVALID", { details: "publicKey must be a string" });
  }
  try {
    const key = readPublisherKey(text);
    return { keyid: keyIdOf(key), publicKey: spkiOf(key) };
  } catch (error) {
    if (!isBuntimeError(error, "BUNTIME_ERR_SIGNATURE_KEY_INVALID")) throw error;
    throw new BuntimeError(
      "BUNTIME_ERR_REGISTRY_KEY_INVALID",
      { details: String(error.params.details) },
      { cause: error },
    );
  }
}

/** True when `signature` is a valid signature of `integrity` by one of the publisher's `keys`. */
export function publisherSignatureVerifies(
  label: string,
  integrity: string,
  signature: Signature,
  keys: readonly PublisherKey[],
): boolean {
  const trusted = keys.map((key) => ({ keyid: key.keyid, key: key.publicKey }));
  return verifies(() => verifyPublisherSignature(label, integrity, [signature], trusted));
}
