import { BuntimeError } from "@buntime/sdk";
import {
  type KeyPins,
  type RegistryClient,
  type TrustedKey,
  trustRegistryKeys,
  type VersionDocument,
  verifyPublisherSignature,
  verifyRegistrySignature,
} from "@buntime/supply";
import type { SignaturePolicy } from "../common/settings.ts";

/** What was verified for one version. */
export interface VerifiedSignatures {
  /** The registry signature that verified, if any. */
  registry?: string;
  /** The publisher who signed, if any. */
  publisher?: string;
  /** The publisher signature that verified, as the lockfile records it for `pluginPolicy.trustedPublishers`. */
  publisherSignature?: { name: string; keyid: string; sig: string };
}

/** Checks signatures of versions of one registry, fetching and pinning its keys once. */
export interface SignatureChecker {
  check(doc: VersionDocument): Promise<VerifiedSignatures>;
  /** Keys to pin when the run succeeds (nothing was pinned before for this registry). */
  readonly newPins: KeyPins;
}

/**
 * A checker for `policy`: `none` allows unsigned plugins, `registry` requires a registry
 * signature, `publisher` also a publisher signature. Any signature that is present must verify.
 */
export function createSignatureChecker(
  client: RegistryClient,
  policy: SignaturePolicy,
  pins: KeyPins,
): SignatureChecker {
  let registryKeys: Promise<TrustedKey[]> | undefined;
  const publisherKeys = new Map<string, Promise<TrustedKey[]>>();
  const newPins: KeyPins = {};
  const keysOfRegistry = () => {
    registryKeys ??= client.registryKeys().then((served) => {
      const trusted = trustRegistryKeys(client.registry, served, pins);
      if (trusted.pinnedNow) newPins[client.registry] = trusted.keys;
      return trusted.keys;
    });
    return registryKeys;
  };
  const keysOf = (publisher: string) => {
    let keys = publisherKeys.get(publisher);
    if (!keys) {
      keys = client.publisherKeys(publisher);
      publisherKeys.set(publisher, keys);
    }
    return keys;
  };
  const missing = (pkg: string, kind: string) =>
    new BuntimeError("BUNTIME_ERR_SIGNATURE_MISSING", { package: pkg, kind, policy });

  return {
    newPins,
    async check(doc) {
      const label = `${doc.name}@${doc.version}`;
      const { integrity, signatures = [], publisherSignatures = [] } = doc.dist;
      const verified: VerifiedSignatures = {};
      if (signatures.length > 0) {
        verified.registry = verifyRegistrySignature(
          doc.name,
          doc.version,
          integrity,
          signatures,
          await keysOfRegistry(),
        ).sig;
      } else if (policy !== "none") {
        throw missing(label, "registry");
      }
      if (publisherSignatures.length > 0) {
        const publisher = publisherSignatures[0]?.publisher ?? "";
        const { keyid, sig } = verifyPublisherSignature(
          label,
          integrity,
          publisherSignatures,
          await keysOf(publisher),
        );
        verified.publisher = publisher;
        verified.publisherSignature = { name: publisher, keyid, sig };
      } else if (policy === "publisher") {
        throw missing(label, "publisher");
      }
      return verified;
    },
  };
}
