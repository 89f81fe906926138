import { readdirSync, rmdirSync } from "node:fs";
import { basename, dirname } from "node:path";

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // already gone: nothing to undo
  }
}

/**
 * Removes folders a failed batch created (`<home>/data/<name>`, and `<home>/data/@scope` when it
 * is left empty), but only while they are empty: a plugin that wrote data before failing keeps
 * it for the next attempt.
 */
export function removeEmptyDirs(dirs: readonly string[]): void {
  for (const dir of dirs) {
    removeIfEmpty(dir);
    const parent = dirname(dir);
    if (basename(parent).startsWith("@")) removeIfEmpty(parent);
  }
}
