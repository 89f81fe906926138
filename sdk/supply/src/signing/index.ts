/**
 * Signing: publisher ed25519 keys and signatures over a tarball's integrity, npm-style registry
 * signatures, and their verification (by clients and the registry alike) with registry keys
 * pinned at first use.
 */
export type { KeyPins, TrustedRegistryKeys } from "./key-pins.ts";
export { trustRegistryKeys } from "./key-pins.ts";
export type { PublisherKeyPair } from "./keys.ts";
export {
  generatePublisherKeys,
  keyIdOf,
  readPrivateKey,
  readPublicKey,
  readPublisherKey,
  spkiOf,
} from "./keys.ts";
export type { Signature, TrustedKey } from "./signatures.ts";
export {
  signIntegrity,
  signRegistryVersion,
  verifyPublisherSignature,
  verifyRegistrySignature,
} from "./signatures.ts";
