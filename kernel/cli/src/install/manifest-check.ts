import { BuntimeError } from "@buntime/sdk";

/**
 * Refuses a tarball whose package.json is not the manifest the registry advertised in its
 * packument. The plan (dependencies) and the permissions shown to the user come from the
 * packument, the kernel then runs what the tarball says: a registry or mirror serving one manifest
 * and packing another could widen a plugin's permissions unseen. Names and versions must be equal
 * and the `buntime` manifests deeply equal; the differing keys are named.
 */
export function checkAdvertisedManifest(
  packed: Record<string, unknown>,
  advertised: { name: string; version: string; buntime?: unknown },
  label: string,
): void {
  const mismatch = (details: string): never => {
    throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", { source: label, details });
  };
  if (packed.name !== advertised.name || packed.version !== advertised.version)
    mismatch(`its package.json is ${String(packed.name)}@${String(packed.version)}`);
  if (Bun.deepEquals(packed.buntime, advertised.buntime, true)) return;
  const ours = asRecord(packed.buntime);
  const theirs = asRecord(advertised.buntime);
  const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])]
    .filter((key) => !Bun.deepEquals(ours[key], theirs[key], true))
    .sort();
  mismatch(
    `its package.json's buntime manifest differs from the one the registry advertised (${keys.join(", ") || "buntime"})`,
  );
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}
