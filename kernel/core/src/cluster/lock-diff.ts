import type { Lockfile } from "../plugins/lockfile.ts";

/** One lock entry: a plugin's exact version, integrity and signatures. */
export type LockEntry = Lockfile["plugins"][string];

/** What changed between two locks: entries set (installed, upgraded, rolled back) and names removed. */
export interface LockChange {
  readonly set: Readonly<Record<string, LockEntry>>;
  readonly removed: readonly string[];
}

/** An empty lock: no plugin installed. */
export const EMPTY_LOCK: Lockfile = { lockfileVersion: 1, plugins: {} };

function sameEntry(a: LockEntry | undefined, b: LockEntry | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The change that turns `before` into `after`. */
export function diffLocks(before: Lockfile, after: Lockfile): LockChange {
  const set: Record<string, LockEntry> = {};
  for (const [name, entry] of Object.entries(after.plugins)) {
    if (!sameEntry(before.plugins[name], entry)) set[name] = entry;
  }
  const removed = Object.keys(before.plugins).filter((name) => !(name in after.plugins));
  return { set, removed };
}

/** True when a change changes nothing. */
export function isEmptyChange(change: LockChange): boolean {
  return Object.keys(change.set).length === 0 && change.removed.length === 0;
}

/**
 * `lock` with `change` applied, plugins sorted by name. Two nodes that change different plugins
 * at once both keep their change: each applies only its own to the newest generation.
 */
export function applyChange(lock: Lockfile, change: LockChange): Lockfile {
  const plugins: Record<string, LockEntry> = { ...lock.plugins, ...change.set };
  for (const name of change.removed) delete plugins[name];
  const sorted = Object.keys(plugins)
    .sort()
    .map((name) => [name, plugins[name] as LockEntry] as const);
  return { lockfileVersion: 1, plugins: Object.fromEntries(sorted) };
}

/** True when both locks pin the same entries. */
export function sameLock(a: Lockfile, b: Lockfile): boolean {
  return isEmptyChange(diffLocks(a, b));
}
