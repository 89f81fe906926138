/**
 * Packing an app: the same deterministic npm-format tarball as a plugin's (`@buntime/supply`'s
 * file selection, tar writer and integrity), checked against the `buntime.app` manifest rather
 * than a plugin manifest.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BuntimeError, parseAppManifest } from "@buntime/sdk";
import { type PackedPlugin, packPackage } from "@buntime/supply";
import semver from "semver";
import { parseCommand } from "../common/args.ts";
import { runCommand } from "../common/output.ts";
import { PACK_OPTIONS, reportPacked } from "../common/pack-report.ts";

/** The `--help` text of `buntime app pack`. */
export const APP_PACK_HELP = `Usage: buntime app pack [dir] [--out <folder>] [--dry-run] [--json]

Validates the buntime.app manifest and writes a deterministic npm-format tarball of the app in
dir (default: the current folder) to --out (default: the current folder). --dry-run prints the
files, size and integrity the tarball would have and writes nothing.
`;

function invalid(source: string, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_PACK_FAILED", { source, details });
}

/**
 * Packs the app package in `dir`: package.json must name it, give an exact version and carry a
 * valid `buntime.app` manifest whose entry is among the packed files.
 *
 * @example
 * const packed = packApp("apps/shop"); // packed.tarball, packed.integrity
 */
export function packApp(dir: string): PackedPlugin {
  const root = resolve(dir);
  let packageJson: { name?: unknown; version?: unknown; main?: unknown; buntime?: { app?: unknown } };
  try {
    packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  } catch {
    throw invalid(root, "no readable package.json (is this an app folder? buntime app create makes one)");
  }
  const { name, version } = packageJson;
  if (typeof name !== "string" || typeof version !== "string" || semver.valid(version) !== version)
    throw invalid(root, "package.json needs a name and an exact semver version");
  if (packageJson.buntime?.app === undefined)
    throw invalid(root, 'package.json has no "buntime": { "app": { … } } manifest');
  const manifest = parseAppManifest(packageJson.buntime.app, `${name}@${version}`);
  // packed as any npm package is: npm's file rules, one deterministic tarball
  const packed = packPackage(root);
  const entry = manifest.entry ?? (typeof packageJson.main === "string" ? packageJson.main : "index.ts");
  if (!packed.files.includes(entry.replace(/^\.\//, "")))
    throw invalid(root, `the entry ${entry} is not among the packed files (check "files" in package.json)`);
  return packed;
}

/** `buntime app pack`: writes the app's tarball and prints its integrity. */
export async function runAppPack(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, PACK_OPTIONS);
  return runCommand("app pack", values, APP_PACK_HELP, async (out) => {
    reportPacked(out, packApp(positionals[0] ?? "."), values);
    return 0;
  });
}
