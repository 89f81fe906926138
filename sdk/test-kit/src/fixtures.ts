/**
 * Fixtures for tests: cleanup after the current test, temporary folders, and plugin folders
 * written from a package.json and an entry's source.
 */
import { onTestFinished } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ManifestOptions } from "@buntime/sdk";

// Work to undo after the current test, newest first. Flushed by a hook added to the running test:
// bun evaluates this module once per run, so a hook at its top level would serve the first file only.
const cleanups: (() => unknown)[] = [];

/** Registers work to undo after the current test (after its `afterEach` hooks); call it inside a test. */
export function onCleanup(cleanup: () => unknown): void {
  if (cleanups.length === 0)
    onTestFinished(async () => {
      for (const pending of cleanups.splice(0).reverse()) await pending();
    });
  cleanups.push(cleanup);
}

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = "buntime-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The sdk's module specifier, as a JS string literal, for plugin sources written by tests. */
export const SDK_MODULE = JSON.stringify(import.meta.resolve("@buntime/sdk"));

/** The package.json of a test plugin. */
export function pluginPackage(name: string, manifest: Partial<ManifestOptions> = {}, version = "1.0.0") {
  return { name, version, buntime: { kernel: "*", ...manifest } };
}

/** Writes a plugin folder: package.json plus an entry module with `source` as its text. */
export function writePluginFolder(dir: string, packageJson: object, source: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
  writeFileSync(join(dir, "index.ts"), source);
  return dir;
}
