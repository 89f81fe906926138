/**
 * A plugin's permissions in plain words, and what an upgrade adds to them. Widened permissions
 * are what a person must consent to before an upgrade applies.
 */
import type { Permissions } from "./registry.ts";

/** No permissions at all. */
export const NO_PERMISSIONS: Permissions = { network: [], env: [], storage: false };

/** The permissions a manifest declares, defaults filled in; anything malformed counts as nothing. */
export function permissionsOf(manifest: unknown): Permissions {
  const declared = (manifest as { permissions?: Partial<Permissions> } | null | undefined)?.permissions ?? {};
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  return {
    network: strings(declared.network),
    env: strings(declared.env),
    storage: declared.storage === true,
  };
}

/** How many separate things the plugin may touch (the number on a card). */
export function permissionCount(permissions: Permissions): number {
  return permissions.network.length + permissions.env.length + (permissions.storage ? 1 : 0);
}

/** One sentence per permission, as a person reads it. */
export function describePermissions(permissions: Permissions): string[] {
  return [
    ...permissions.network.map((host) =>
      host === "*" ? "Connect to any host on the network" : `Connect to ${host} over the network`,
    ),
    ...permissions.env.map((name) => `Read the environment variable ${name}`),
    ...(permissions.storage ? ["Keep files in its own data folder"] : []),
  ];
}

/** What `next` may do that `current` may not, one sentence each (empty when nothing widens). */
export function widenedPermissions(current: Permissions, next: Permissions): string[] {
  const had = new Set(describePermissions(current));
  return describePermissions(next).filter((line) => !had.has(line));
}
