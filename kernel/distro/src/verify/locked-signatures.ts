import { BuntimeError } from "@buntime/sdk";
import { verifyPublisherSignature, verifyRegistrySignature } from "@buntime/supply";
import type { DistroLock, LockedPackage } from "../lock/schema.ts";
import type { DistroManifest } from "../manifest.ts";

/**
 * Verifies a locked plugin's signatures offline, with the keys the lock pinned, and that the
 * lock meets the policy (a signature the policy requires must be there). Throws
 * `BUNTIME_ERR_SIGNATURE_INVALID` or `BUNTIME_ERR_SIGNATURE_MISSING` naming the package.
 */
export function verifyLockedSignatures(
  lock: DistroLock,
  name: string,
  policy: DistroManifest["policy"],
): void {
  const plugin = lock.plugins[name];
  if (plugin) verifyLockedPackage(lock, name, plugin, policy);
}

/**
 * Verifies one locked package's signatures (a plugin's or a registry app's: `name` is its
 * package name, which the signatures cover) offline with the lock's keys, under the policy.
 */
export function verifyLockedPackage(
  lock: DistroLock,
  name: string,
  plugin: LockedPackage,
  policy: DistroManifest["policy"],
): void {
  const label = `${name}@${plugin.version}`;
  const missing = (kind: string) =>
    new BuntimeError("BUNTIME_ERR_SIGNATURE_MISSING", { package: label, kind, policy: policy.signatures });
  if (plugin.signature) {
    verifyRegistrySignature(name, plugin.version, plugin.integrity, [plugin.signature], lock.registryKeys);
  } else if (policy.signatures !== "none") {
    throw missing("registry");
  }
  if (plugin.publisher) {
    const { name: publisher, keyid, sig } = plugin.publisher;
    verifyPublisherSignature(label, plugin.integrity, [{ keyid, sig }], lock.publisherKeys[publisher] ?? []);
  } else if (policy.signatures === "publisher") {
    throw missing("publisher");
  }
}
