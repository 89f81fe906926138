import { BuntimeError, isCandidate, satisfiesRange } from "@buntime/sdk";
import semver from "semver";
import type { Packument, VersionDocument } from "./types.ts";

/**
 * Picks the highest version of a packument that satisfies `range` (a semver range or a
 * dist-tag) and whose manifest's `kernel` range admits `kernelVersion`. Throws
 * `BUNTIME_ERR_INSTALL_NO_MATCHING_VERSION` (listing the available versions) or
 * `BUNTIME_ERR_INSTALL_KERNEL_INCOMPATIBLE` (saying which kernel each candidate needs).
 *
 * @example
 * resolveVersion(packument, "^1.0.0", "0.1.0").version; // "1.4.2"
 */
export function resolveVersion(packument: Packument, range: string, kernelVersion?: string): VersionDocument {
  const tagged = packument["dist-tags"][range];
  const effective = tagged ?? range;
  const versions = Object.keys(packument.versions).sort(semver.rcompare);
  const matching = versions.filter((v) => isCandidate(v, effective));
  if (matching.length === 0) {
    throw new BuntimeError("BUNTIME_ERR_INSTALL_NO_MATCHING_VERSION", {
      package: packument.name,
      range,
      available: versions.length ? versions.slice(0, 10).join(", ") : "none",
    });
  }
  const fits = (v: string) => {
    const kernel = packument.versions[v]?.buntime?.kernel;
    return !kernelVersion || !kernel || satisfiesRange(kernelVersion, kernel);
  };
  const compatible = matching.filter(fits);
  const picked = compatible[0];
  if (picked === undefined) {
    throw new BuntimeError("BUNTIME_ERR_INSTALL_KERNEL_INCOMPATIBLE", {
      package: packument.name,
      range,
      kernel: kernelVersion ?? "?",
      details: matching
        .slice(0, 5)
        .map((v) => `${v} needs kernel ${packument.versions[v]?.buntime?.kernel}`)
        .join("; "),
    });
  }
  return packument.versions[picked] as VersionDocument;
}
