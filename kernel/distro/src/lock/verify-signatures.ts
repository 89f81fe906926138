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
import type { DistroManifest } from "../manifest.ts";
import type { LockedPlugin } from "./schema.ts";

/** What the signatures of one version proved, in the lock's form. */
export type ProvenSignatures = Pick<LockedPlugin, "signature" | "publisher">;

/** Checks versions against a distribution's policy, remembering the keys that verified. */
export interface PolicyChecker {
  check(doc: VersionDocument): Promise<ProvenSignatures>;
  /** Registry keys that verified a signature, by key id order. */
  registryKeys(): TrustedKey[];
  /** Publisher keys that verified a signature, by publisher. */
  publisherKeys(): Record<string, TrustedKey[]>;
}

/**
 * A checker for the manifest's policy: `none` allows unsigned plugins, `registry` requires a
 * registry signature, `publisher` also a publisher signature; `publishers` limits who may
 * have signed. Any signature present must verify. Registry keys are trusted on first use, and
 * a lock's earlier keys (`pins`) must still be the registry's (`BUNTIME_ERR_SIGNATURE_KEY_CHANGED`).
 */
export function createPolicyChecker(
  client: RegistryClient,
  policy: DistroManifest["policy"],
  pins: KeyPins,
): PolicyChecker {
  let registryKeys: Promise<TrustedKey[]> | undefined;
  const publisherKeys = new Map<string, Promise<TrustedKey[]>>();
  const usedRegistry = new Map<string, TrustedKey>();
  const usedPublisher = new Map<string, Map<string, TrustedKey>>();
  const missing = (pkg: string, kind: string) =>
    new BuntimeError("BUNTIME_ERR_SIGNATURE_MISSING", { package: pkg, kind, policy: policy.signatures });
  const allowed = (pkg: string, publisher: string) => {
    if (policy.publishers && !policy.publishers.includes(publisher)) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_PUBLISHER_NOT_ALLOWED", {
        package: pkg,
        publisher,
        allowed: policy.publishers.join(", ") || "nobody",
      });
    }
  };

  return {
    async check(doc) {
      const label = `${doc.name}@${doc.version}`;
      const { integrity, signatures = [], publisherSignatures = [] } = doc.dist;
      const proven: ProvenSignatures = {};
      if (signatures.length > 0) {
        registryKeys ??= client
          .registryKeys()
          .then((served) => trustRegistryKeys(client.registry, served, pins).keys);
        const keys = await registryKeys;
        const sig = verifyRegistrySignature(doc.name, doc.version, integrity, signatures, keys);
        usedRegistry.set(sig.keyid, keys.find((key) => key.keyid === sig.keyid) as TrustedKey);
        proven.signature = { keyid: sig.keyid, sig: sig.sig };
      } else if (policy.signatures !== "none") {
        throw missing(label, "registry");
      }
      const name = publisherSignatures[0]?.publisher;
      if (publisherSignatures.length > 0 && name) {
        allowed(label, name);
        if (!publisherKeys.has(name)) publisherKeys.set(name, client.publisherKeys(name));
        const trusted = await (publisherKeys.get(name) as Promise<TrustedKey[]>);
        const sig = verifyPublisherSignature(label, integrity, publisherSignatures, trusted);
        const used = usedPublisher.get(name) ?? new Map<string, TrustedKey>();
        used.set(sig.keyid, trusted.find((key) => key.keyid === sig.keyid) as TrustedKey);
        usedPublisher.set(name, used);
        proven.publisher = { name, keyid: sig.keyid, sig: sig.sig };
      } else if (policy.signatures === "publisher") {
        throw missing(label, "publisher");
      } else {
        allowed(label, "nobody (unsigned by any publisher)");
      }
      return proven;
    },
    registryKeys: () => [...usedRegistry.values()].sort((a, b) => a.keyid.localeCompare(b.keyid)),
    publisherKeys: () =>
      Object.fromEntries(
        [...usedPublisher].map(([name, keys]) => [
          name,
          [...keys.values()].sort((a, b) => a.keyid.localeCompare(b.keyid)),
        ]),
      ),
  };
}
