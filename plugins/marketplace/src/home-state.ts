/**
 * What the home's lock says is installed, read (never written) from the files the CLI keeps:
 * `<home>/plugins/lock.json` and `<home>/plugins/rollback.json`. Only the CLI changes them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NO_PERMISSIONS, permissionsOf } from "./permissions.ts";
import type { Permissions } from "./registry.ts";

/** Installed plugins by name, and the versions kept for rollback. */
export interface HomeState {
  installed: Map<string, string>;
  previous: Map<string, string>;
}

function versions(path: string, key?: string): Map<string, string> {
  if (!existsSync(path)) return new Map();
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const entries = (key ? parsed[key] : parsed) as Record<string, { version?: unknown }> | undefined;
    return new Map(
      Object.entries(entries ?? {}).flatMap(([name, entry]) =>
        typeof entry?.version === "string" ? [[name, entry.version] as [string, string]] : [],
      ),
    );
  } catch {
    return new Map(); // a file being rewritten: the CLI writes atomically, so this is only a race
  }
}

/** The home's installed plugins and rollback versions. */
export function readHomeState(home: string): HomeState {
  return {
    installed: versions(join(home, "plugins", "lock.json"), "plugins"),
    previous: versions(join(home, "plugins", "rollback.json")),
  };
}

/** The permissions an installed version declares (none when it is not on disk). */
export function installedPermissions(home: string, name: string, version: string): Permissions {
  const path = join(home, "plugins", name, version, "package.json");
  if (!existsSync(path)) return NO_PERMISSIONS;
  try {
    return permissionsOf(JSON.parse(readFileSync(path, "utf8")).buntime);
  } catch {
    return NO_PERMISSIONS;
  }
}
