import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Lockfile, lockfilePath, lockfileSchema } from "../plugins/lockfile.ts";
import type { LockEntry } from "./lock-diff.ts";

/** Writes `text` to `path` through a temporary file and a rename, so a reader never sees half of it. */
function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Writes the home's `plugins/lock.json` as the CLI does (sorted, two-space JSON). */
export function writeHomeLock(home: string, lock: Lockfile): void {
  writeAtomic(lockfilePath(home), `${JSON.stringify(lock, null, 2)}\n`);
}

/**
 * Keeps `<home>/plugins/rollback.json` (the version each plugin had before its last upgrade) as
 * `buntime plugin upgrade` does, for the changes a reconcile applies: so `buntime plugin rollback`
 * works through any node, not only the one the upgrade went through.
 */
export function recordRollback(home: string, before: Lockfile, after: Lockfile): void {
  const path = join(home, "plugins", "rollback.json");
  let history: Record<string, LockEntry> = {};
  try {
    history = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, LockEntry>) : {};
  } catch {
    // a damaged record only costs rollbacks through this node: start it again
  }
  let changed = false;
  for (const [name, entry] of Object.entries(after.plugins)) {
    const previous = before.plugins[name];
    if (previous && previous.version !== entry.version) {
      history[name] = previous;
      changed = true;
    }
  }
  for (const name of Object.keys(history)) {
    if (!(name in after.plugins)) {
      delete history[name];
      changed = true;
    }
  }
  if (!changed) return;
  const sorted = Object.fromEntries(Object.entries(history).sort(([a], [b]) => a.localeCompare(b)));
  writeAtomic(path, `${JSON.stringify(sorted, null, 2)}\n`);
}

/** What this node last applied: the generation and its lock, the base its local changes are told from. */
export interface AppliedRecord {
  readonly generation: number;
  readonly lock: Lockfile;
}

function appliedPath(home: string): string {
  return join(home, "cluster", "applied.json");
}

/** The node's last applied generation, or undefined on a node that never applied one (or a damaged record). */
export function readApplied(home: string): AppliedRecord | undefined {
  const path = appliedPath(home);
  if (!existsSync(path)) return undefined;
  try {
    const raw = JSON.parse(readFileSync(path, "utf8")) as { generation?: unknown; lock?: unknown };
    const lock = lockfileSchema.safeParse(raw.lock);
    if (!Number.isSafeInteger(raw.generation) || !lock.success) return undefined;
    return { generation: raw.generation as number, lock: lock.data };
  } catch {
    return undefined;
  }
}

/** Records what this node applied, so a restart tells local changes from the cluster's. */
export function writeApplied(home: string, record: AppliedRecord): void {
  writeAtomic(appliedPath(home), `${JSON.stringify(record)}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** True while another live process holds `<home>/.cli-lock` (a CLI command changing the home). */
export function homeBusy(home: string): boolean {
  try {
    const holder = Number(readFileSync(join(home, ".cli-lock"), "utf8").trim());
    return Number.isInteger(holder) && holder > 0 && alive(holder);
  } catch {
    return false;
  }
}

/**
 * Takes `<home>/.cli-lock` (the file `buntime plugin …` holds while it changes the home) so a
 * reconcile and a CLI command never change one home at once. Resolves with a release function,
 * or undefined when another live process holds it (the reconcile comes back shortly).
 */
export function takeHomeLock(home: string): (() => void) | undefined {
  const path = join(home, ".cli-lock");
  mkdirSync(home, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
    const holder = Number(readFileSync(path, "utf8").trim());
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) return undefined;
    rmSync(path, { force: true }); // left by a process that died
  }
  return undefined;
}
