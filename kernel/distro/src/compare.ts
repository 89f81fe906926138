import type { RegistryClient } from "@buntime/supply";
import { resolvePlugins } from "./lock/resolve.ts";
import { resolveApps } from "./lock/resolve-apps.ts";
import type { DistroLock } from "./lock/schema.ts";
import { type DistroManifest, pluginRange, registryApps } from "./manifest.ts";

/** What a plugin's manifest says it may touch, as readable items: `network api.x.org`, `env TOKEN`, `storage`. */
export function permissionItems(permissions: unknown): string[] {
  const p = (permissions ?? {}) as { network?: string[]; env?: string[]; storage?: boolean };
  return [
    ...(p.network ?? []).map((host) => `network ${host}`),
    ...(p.env ?? []).map((name) => `env ${name}`),
    ...(p.storage ? ["storage"] : []),
  ].sort();
}

/** Permissions one version asks for that the other did not, and the reverse. */
export interface PermissionChange {
  added: string[];
  removed: string[];
}

/** How the permissions change from `before` to `after`. */
export function permissionChange(before: unknown, after: unknown): PermissionChange {
  const was = permissionItems(before);
  const now = permissionItems(after);
  return { added: now.filter((p) => !was.includes(p)), removed: was.filter((p) => !now.includes(p)) };
}

/** One plugin that a new lock changes. */
export interface LockChange {
  name: string;
  from?: string;
  to?: string;
  permissions: PermissionChange;
}

type Versioned = { version: string; permissions?: Record<string, unknown> };

/** A lock's plugins by name and its registry apps as `app <name>`: what diffs and tables list. */
function entriesOf(lock: DistroLock | undefined): Map<string, Versioned> {
  return new Map<string, Versioned>([
    ...Object.entries(lock?.plugins ?? {}),
    ...Object.entries(lock?.apps ?? {}).map(([name, app]) => [`app ${name}`, app] as const),
  ]);
}

/** The plugins and apps (`app <name>`) `after` adds, removes or moves to another version compared to `before`. */
export function diffLocks(before: DistroLock | undefined, after: DistroLock): LockChange[] {
  const was = entriesOf(before);
  const now = entriesOf(after);
  const names = [...new Set([...was.keys(), ...now.keys()])].sort();
  return names.flatMap((name) => {
    const from = was.get(name);
    const to = now.get(name);
    if (from?.version === to?.version) return [];
    const permissions = permissionChange(from?.permissions, to?.permissions);
    return [{ name, from: from?.version, to: to?.version, permissions }];
  });
}

/** One row of `buntime distro outdated`. */
export interface OutdatedRow {
  name: string;
  /** The locked version. */
  current: string;
  /** What a new lock would pick (every range, this kernel); `undefined` when no version fits. */
  wanted?: string;
  /** The registry's `latest` tag. */
  latest?: string;
  /** From the current to the latest version. */
  permissions: PermissionChange;
}

/**
 * For every locked plugin, then every registry app (`app <name>`): the current version, the one
 * a lock made now would want, the registry's latest, and how the permissions change from
 * current to latest.
 */
export async function outdatedPlugins(
  manifest: DistroManifest,
  lock: DistroLock,
  client: RegistryClient,
  kernelVersion: string,
): Promise<OutdatedRow[]> {
  const roots = Object.fromEntries(
    Object.entries(manifest.plugins).map(([name, entry]) => [name, pluginRange(entry)]),
  );
  const resolved = await resolvePlugins(roots, client, kernelVersion);
  const rows: OutdatedRow[] = [];
  for (const [name, locked] of Object.entries(lock.plugins).sort(([a], [b]) => a.localeCompare(b))) {
    const packument = await client.packument(name);
    const latest = packument?.["dist-tags"].latest;
    const wanted = "chosen" in resolved ? resolved.chosen.get(name)?.doc.version : undefined;
    const latestPermissions = latest ? packument?.versions[latest]?.buntime?.permissions : locked.permissions;
    rows.push({
      name,
      current: locked.version,
      wanted,
      latest,
      permissions: permissionChange(locked.permissions, latestPermissions),
    });
  }
  const wantedApps = registryApps(manifest).map(([name, source]) => ({ name, ...source }));
  const apps = await resolveApps(wantedApps, client);
  for (const [name, locked] of Object.entries(lock.apps ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const packument = await client.packument(locked.package);
    const latest = packument?.["dist-tags"].latest;
    const latestApp = latest ? packument?.versions[latest]?.buntime?.app : undefined;
    const latestPermissions = latest
      ? (latestApp as { permissions?: unknown } | undefined)?.permissions
      : locked.permissions;
    rows.push({
      name: `app ${name}`,
      current: locked.version,
      wanted: apps.chosen.get(name)?.version,
      latest,
      permissions: permissionChange(locked.permissions, latestPermissions),
    });
  }
  return rows;
}
