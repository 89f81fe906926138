import { BuntimeError, isCandidate, satisfiesRange } from "@buntime/sdk";
import type { Packument, RegistryClient, VersionDocument } from "@buntime/supply";
import semver from "semver";
import { formatTable } from "../table.ts";

/** Who wants a plugin, and in which range. */
export interface Want {
  range: string;
  /** `buntime.distro.json`, or `name@version` of a plugin that depends on it. */
  by: string;
}

/** A plugin whose wants no version satisfies: one row of the unsatisfiable table. */
export interface Unsatisfiable {
  plugin: string;
  wants: Want[];
  /** Versions the registry has, newest first (at most 10). */
  available: string[];
  /** Why: two wants that exclude each other, no version in range, or none for this kernel. */
  reason: string;
}

/** The outcome of resolving: a version document per plugin and who wants it. */
export interface Resolution {
  chosen: Map<string, { doc: VersionDocument; wants: Want[] }>;
}

const ROOT = "buntime.distro.json";
/** Who wants a plugin kept at its locked version (an upgrade of others); not a dependent. */
export const PINNED = "distro.lock.json (kept)";

/** Explains why no version of `packument` satisfies every want for `kernel`. */
function diagnose(name: string, wants: Want[], packument: Packument, kernel: string): Unsatisfiable {
  const versions = Object.keys(packument.versions).sort(semver.rcompare);
  const row = { plugin: name, wants, available: versions.slice(0, 10) };
  for (const [i, a] of wants.entries()) {
    for (const b of wants.slice(i + 1)) {
      if (!semver.intersects(a.range, b.range)) {
        return {
          ...row,
          reason: `${a.by} wants ${a.range} and ${b.by} wants ${b.range}: no version is both`,
        };
      }
    }
  }
  const inRange = versions.filter((v) => wants.every((want) => isCandidate(v, want.range)));
  if (inRange.length === 0) return { ...row, reason: "no published version is in range" };
  const needs = inRange.map((v) => `${v} needs kernel ${packument.versions[v]?.buntime?.kernel}`).slice(0, 3);
  return { ...row, reason: `none runs on kernel ${kernel} (${needs.join("; ")})` };
}

/** The newest version satisfying every want whose kernel range admits `kernel`. */
function pick(packument: Packument, wants: Want[], kernel: string): VersionDocument | undefined {
  const fits = (v: string) => {
    const range = packument.versions[v]?.buntime?.kernel;
    return wants.every((want) => isCandidate(v, want.range)) && (!range || satisfiesRange(kernel, range));
  };
  const best = Object.keys(packument.versions).sort(semver.rcompare).find(fits);
  return best === undefined ? undefined : packument.versions[best];
}

/**
 * Resolves the manifest's plugins and their plugin dependencies to one version each: the
 * newest that satisfies every range that wants it (the manifest's and each dependent's) and
 * runs on `kernel`. Repeats until the choice settles (a newer dependent can change its
 * dependencies' ranges). Optional dependencies constrain a plugin that is chosen anyway.
 * `pins` (name → exact version) keep plugins at a locked version while they are wanted.
 * Plugins nobody can satisfy are collected, not thrown one at a time: the caller prints them
 * as one table (`BUNTIME_ERR_DISTRO_UNSATISFIABLE`).
 */
export async function resolvePlugins(
  roots: Record<string, string>,
  client: RegistryClient,
  kernel: string,
  pins: Record<string, string> = {},
): Promise<Resolution | { problems: Unsatisfiable[] }> {
  const packuments = new Map<string, Packument>();
  const packumentOf = async (name: string) => {
    let packument = packuments.get(name);
    if (!packument) {
      packument = await client.packument(name);
      if (!packument)
        throw new BuntimeError("BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN", {
          package: name,
          registry: client.registry,
        });
      packuments.set(name, packument);
    }
    return packument;
  };
  let chosen = new Map<string, { doc: VersionDocument; wants: Want[] }>();
  for (let round = 0; round < 100; round++) {
    const wants = new Map<string, Want[]>();
    const want = (name: string, w: Want) => wants.set(name, [...(wants.get(name) ?? []), w]);
    for (const [name, range] of Object.entries(roots)) want(name, { range, by: ROOT });
    // dependencies of the current choice; optional ones only bind plugins chosen anyway
    const optional: [string, Want][] = [];
    for (const [name, { doc }] of chosen) {
      const by = `${name}@${doc.version}`;
      for (const [dep, range] of Object.entries(doc.buntime?.dependencies ?? {})) want(dep, { range, by });
      const optionals = (doc.buntime?.optionalDependencies ?? {}) as Record<string, string>;
      for (const [dep, range] of Object.entries(optionals)) optional.push([dep, { range, by }]);
    }
    for (const [dep, w] of optional) if (wants.has(dep)) want(dep, w);
    // versions kept from an earlier lock, for the plugins still wanted
    for (const [name, version] of Object.entries(pins))
      if (wants.has(name)) want(name, { range: version, by: PINNED });

    const next = new Map<string, { doc: VersionDocument; wants: Want[] }>();
    const problems: Unsatisfiable[] = [];
    for (const name of [...wants.keys()].sort()) {
      const list = wants.get(name) as Want[];
      const packument = await packumentOf(name);
      const doc = pick(packument, list, kernel);
      if (doc) next.set(name, { doc, wants: list });
      else problems.push(diagnose(name, list, packument, kernel));
    }
    if (problems.length > 0) return { problems };
    const settled =
      next.size === chosen.size &&
      [...next].every(([name, { doc }]) => chosen.get(name)?.doc.version === doc.version);
    chosen = next;
    if (settled) return { chosen };
  }
  throw new BuntimeError("BUNTIME_ERR_DISTRO_UNSATISFIABLE", {
    manifest: ROOT,
    table: "the plugin choice did not settle after 100 rounds (dependency ranges chase each other)",
  });
}

/** The unsatisfiable plugins as a plain-text table: plugin, range, wanted by, available, why. */
export function formatProblems(problems: readonly Unsatisfiable[]): string {
  const rows: string[][] = [["plugin", "range", "wanted by", "available"]];
  const notes: string[] = [];
  for (const problem of problems) {
    for (const [i, want] of problem.wants.entries()) {
      rows.push([
        i === 0 ? problem.plugin : "",
        want.range,
        want.by,
        i === 0 ? problem.available.join(", ") || "none" : "",
      ]);
    }
    notes.push(`${problem.plugin}: ${problem.reason}`);
  }
  return [formatTable(rows), "", ...notes].join("\n");
}
