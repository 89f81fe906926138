/**
 * Signing: publisher ed25519 keys and signatures over a tarball's integrity, and verification
 * of publisher and npm-style registry signatures with registry keys pinned at first use.
 */
export type { KeyPins, TrustedRegistryKeys } from "./key-pins.ts";
export { trustRegistryKeys } from "./key-pins.ts";
export type { PublisherKeyPair } from "./keys.ts";
export { generatePublisherKeys, keyIdOf, readPrivateKey, readPublicKey } from "./keys.ts";
export type { Signature, TrustedKey } from "./signatures.ts";
export { signIntegrity, verifyPublisherSignature, verifyRegistrySignature } from "./signatures.ts";
