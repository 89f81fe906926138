import type { RegistryClient } from "@buntime/supply";
import { resolvePlugins } from "./lock/resolve.ts";
import type { DistroLock } from "./lock/schema.ts";
import { type DistroManifest, pluginRange } from "./manifest.ts";

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

/** The plugins `after` adds, removes or moves to another version compared to `before`. */
export function diffLocks(before: DistroLock | undefined, after: DistroLock): LockChange[] {
  const names = [...new Set([...Object.keys(before?.plugins ?? {}), ...Object.keys(after.plugins)])].sort();
  return names.flatMap((name) => {
    const was = before?.plugins[name];
    const now = after.plugins[name];
    if (was?.version === now?.version) return [];
    return [
      {
        name,
        from: was?.version,
        to: now?.version,
        permissions: permissionChange(was?.permissions, now?.permissions),
      },
    ];
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
 * For every locked plugin: the current version, the one a lock made now would want, the
 * registry's latest, and how the permissions change from current to latest.
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
  return rows;
}
