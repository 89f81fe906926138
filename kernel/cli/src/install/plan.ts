import { BuntimeError, isBuntimeError, satisfiesRange } from "@buntime/sdk";
import { type Packument, type RegistryClient, resolveVersion, type VersionDocument } from "@buntime/supply";
import semver from "semver";
import type { LockEntry } from "./lock-store.ts";
import { unknownPlugin } from "./suggest.ts";

/** A requested plugin: `name`, `name@range` or `@scope/name@range`. */
export interface PluginSpec {
  name: string;
  /** A semver range or a dist-tag; undefined asks for the newest version this kernel supports. */
  range?: string;
}

/** One plugin version the plan installs, and who asked for it. */
export interface PlannedPlugin {
  name: string;
  version: string;
  doc: VersionDocument;
  /** The version installed now, when this is an upgrade. */
  replaces?: string;
  /** Who wants it: `you` or a chain such as `you > web@1.0.0`. */
  wantedBy: string;
}

/** Splits `@scope/name@^1` into name and range. */
export function parseSpec(text: string): PluginSpec {
  const at = text.indexOf("@", text.startsWith("@") ? 1 : 0);
  if (at === -1) return { name: text };
  return { name: text.slice(0, at), range: text.slice(at + 1) || undefined };
}

/** Short names (`auth`) stand for first-party plugins (`@buntime/plugin-auth`) before any package of that name. */
export const FIRST_PARTY_PREFIX = "@buntime/plugin-";

/**
 * The package a user means by `name`. A scoped name is itself. A short name means the
 * first-party `@buntime/plugin-<name>` whenever that is installed or in the registry, even when
 * an unscoped package of the same name exists (anyone may publish `auth`; only the registry's
 * admins may publish in `@buntime`), so a look-alike can never take a first-party plugin's
 * place. Only a name with no first-party plugin means the unscoped package.
 */
export async function canonicalName(
  name: string,
  client: RegistryClient | undefined,
  installed: Record<string, LockEntry>,
): Promise<string> {
  if (name.startsWith("@")) return name;
  const firstParty = `${FIRST_PARTY_PREFIX}${name}`;
  if (installed[firstParty]) return firstParty;
  if (client && (await client.packument(firstParty))) return firstParty;
  return name;
}

/** Versions this plan wants, with the chain that asked, to explain conflicts. */
interface Want {
  range: string;
  path: string;
}

/** Resolves the default range: the `latest` tag when this kernel supports it, else the newest version that it supports. */
function resolveDefault(packument: Packument, kernel: string): VersionDocument {
  try {
    return resolveVersion(packument, "latest", kernel);
  } catch (error) {
    if (isBuntimeError(error, "BUNTIME_ERR_INSTALL_KERNEL_INCOMPATIBLE"))
      return resolveVersion(packument, "*", kernel);
    if (isBuntimeError(error, "BUNTIME_ERR_INSTALL_NO_MATCHING_VERSION"))
      return resolveVersion(packument, "*", kernel);
    throw error;
  }
}

/** Installed plugins' declared dependency ranges, by the plugin they depend on. */
export type InstalledDependents = Map<string, { dependent: string; range: string }[]>;

/**
 * Resolves the requested plugins and their plugin dependencies, transitively, against the
 * registry and this kernel's version. Dependencies already installed in a satisfying version
 * are kept. Two incompatible ranges for one plugin are `BUNTIME_ERR_INSTALL_CONFLICT` naming
 * both chains.
 */
export async function planInstall(
  specs: readonly PluginSpec[],
  client: RegistryClient,
  kernel: string,
  installed: Record<string, LockEntry>,
  dependents: InstalledDependents,
  upgrade = false,
): Promise<PlannedPlugin[]> {
  const planned = new Map<string, PlannedPlugin>();
  const wants = new Map<string, Want[]>();
  const packuments = new Map<string, Packument>();
  const queue: { spec: PluginSpec; path: string; explicit: boolean }[] = [];
  for (const spec of specs) {
    const name = await canonicalName(spec.name, client, installed);
    queue.push({ spec: { ...spec, name }, path: "you", explicit: true });
  }

  async function packumentOf(name: string): Promise<Packument> {
    const known = packuments.get(name);
    if (known) return known;
    const packument = await client.packument(name);
    if (!packument) throw await unknownPlugin(client, name);
    packuments.set(name, packument);
    return packument;
  }

  const conflict = (name: string, first: Want, second: Want) =>
    new BuntimeError("BUNTIME_ERR_INSTALL_CONFLICT", {
      package: name,
      first: `${first.range} (${first.path})`,
      second: `${second.range} (${second.path})`,
    });

  for (let steps = 0; queue.length > 0 && steps < 10_000; steps++) {
    const { spec, path, explicit } = queue.shift() as (typeof queue)[number];
    const want: Want = { range: spec.range ?? "*", path };
    const earlier = wants.get(spec.name) ?? [];
    wants.set(spec.name, [...earlier, want]);
    const already = planned.get(spec.name);
    if (already) {
      if (spec.range && !satisfiesRange(already.version, spec.range)) {
        throw conflict(spec.name, earlier[0] as Want, want);
      }
      continue;
    }
    const current = installed[spec.name];
    if (!explicit && current && (!spec.range || satisfiesRange(current.version, spec.range))) continue;
    const packument = await packumentOf(spec.name);
    const doc = spec.range
      ? resolveVersion(packument, spec.range, kernel)
      : resolveDefault(packument, kernel);
    if (current && current.version === doc.version) continue;
    if (upgrade && current && semver.lte(doc.version, current.version)) continue;
    for (const { dependent, range } of dependents.get(spec.name) ?? []) {
      if (!satisfiesRange(doc.version, range)) {
        throw conflict(spec.name, { range: doc.version, path }, { range, path: `installed ${dependent}` });
      }
    }
    const node: PlannedPlugin = {
      name: spec.name,
      version: doc.version,
      doc,
      replaces: current?.version,
      wantedBy: path,
    };
    planned.set(spec.name, node);
    for (const [name, range] of Object.entries(doc.buntime?.dependencies ?? {})) {
      queue.push({ spec: { name, range }, path: `${path} > ${spec.name}@${doc.version}`, explicit: false });
    }
  }
  return [...planned.values()];
}
