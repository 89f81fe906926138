import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import { undoIfInterrupted } from "../common/interrupt.ts";

/**
 * A set of changes to a home that can be undone as a whole: folders created, folders moved
 * in or out, files rewritten. `rollback()` puts the home back exactly as it was;
 * `commit()` deletes what was moved out.
 */
export interface HomeChange {
  /** A fresh folder inside `<home>/plugins` for staging, on the same filesystem. */
  readonly staging: string;
  /** Moves a staged folder to `dest` (which must not exist), creating its parents. */
  place(staged: string, dest: string): void;
  /** Moves `path` aside; gone for good at commit, back at rollback. */
  retire(path: string): void;
  /** Writes `path` atomically, remembering what it held. */
  write(path: string, write: () => void): void;
  rollback(): void;
  commit(): void;
}

/** Runs a filesystem step, translating permission errors into `BUNTIME_ERR_INSTALL_PERMISSION_DENIED`. */
export function guarded<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw new BuntimeError("BUNTIME_ERR_INSTALL_PERMISSION_DENIED", { path }, { cause: error });
    }
    throw error;
  }
}

/** Starts a change of `home`. */
export function beginHomeChange(home: string): HomeChange {
  const created: string[] = [];
  const undo: (() => void)[] = [];

  const mkdirs = (dir: string) => {
    const missing: string[] = [];
    for (let at = dir; !existsSync(at) && dirname(at) !== at; at = dirname(at)) missing.unshift(at);
    for (const path of missing) {
      guarded(path, () => mkdirSync(path));
      created.push(path);
    }
  };

  const staging = join(home, "plugins", `.staging-${process.pid}-${Date.now().toString(36)}`);
  mkdirs(staging);
  let retiredCount = 0;

  const rollback = () => {
    for (const step of undo.splice(0).reverse()) {
      try {
        step();
      } catch {
        // keep undoing the rest: a half-undone home is worse than one leftover
      }
    }
    rmSync(staging, { recursive: true, force: true });
    for (const dir of created.splice(0).reverse()) rmSync(dir, { recursive: true, force: true });
  };
  const forget = undoIfInterrupted(rollback);

  return {
    staging,
    place(staged, dest) {
      mkdirs(dirname(dest));
      guarded(dest, () => renameSync(staged, dest));
      undo.push(() => renameSync(dest, staged));
    },
    retire(path) {
      const aside = join(staging, `retired-${retiredCount++}`);
      guarded(path, () => renameSync(path, aside));
      undo.push(() => renameSync(aside, path));
    },
    write(path, write) {
      const before = existsSync(path) ? readFileSync(path) : undefined;
      if (!existsSync(dirname(path))) mkdirs(dirname(path));
      guarded(path, write);
      undo.push(() => (before === undefined ? rmSync(path, { force: true }) : writeFileSync(path, before)));
    },
    rollback() {
      forget();
      rollback();
    },
    commit() {
      forget();
      rmSync(staging, { recursive: true, force: true });
    },
  };
}
