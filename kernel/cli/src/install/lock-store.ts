import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Lockfile, lockfilePath, readLockfile } from "@buntime/kernel";
import { writeFileAtomic } from "../common/atomic-write.ts";

/** One plugin's lock entry. */
export type LockEntry = Lockfile["plugins"][string];

/** Previous lock entries by plugin name, for `plugin rollback`. */
export type History = Record<string, LockEntry>;

/** `<home>/plugins/rollback.json`: the version each plugin had before its last upgrade. */
export function historyPath(home: string): string {
  return join(home, "plugins", "rollback.json");
}

/** The home's lockfile (empty when there is none). */
export function readLock(home: string): Promise<Lockfile> {
  return readLockfile(home);
}

/** Previous versions kept for `plugin rollback`. */
export function readHistory(home: string): Record<string, LockEntry> {
  const path = historyPath(home);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, LockEntry>) : {};
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes the lockfile atomically, plugins sorted by name. */
export function writeLock(home: string, lock: Lockfile): void {
  const text = `${JSON.stringify({ lockfileVersion: 1, plugins: sorted(lock.plugins) }, null, 2)}\n`;
  writeFileAtomic(lockfilePath(home), text);
}

/** Writes the rollback record atomically. */
export function writeHistory(home: string, history: Record<string, LockEntry>): void {
  writeFileAtomic(historyPath(home), `${JSON.stringify(sorted(history), null, 2)}\n`);
}
