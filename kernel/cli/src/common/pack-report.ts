/** What `buntime plugin pack` and `buntime app pack` share once a package is packed: write it, or with --dry-run only say so. */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PackedPlugin } from "@buntime/supply";
import { type Output, warn } from "./output.ts";

/** The options both pack commands take. */
export const PACK_OPTIONS = {
  out: { type: "string" },
  "dry-run": { type: "boolean" },
} as const;

/**
 * Warns about packed files that look like secrets, writes the tarball to `<out>/<filename>`
 * (unless `dryRun`: then nothing is written) and prints its files, path, size and integrity.
 */
export function reportPacked(
  out: Output,
  packed: PackedPlugin,
  values: { out?: string; "dry-run"?: boolean },
): void {
  for (const warning of packed.warnings) warn(warning);
  const path = join(resolve(values.out ?? "."), packed.filename);
  const dryRun = values["dry-run"] === true;
  if (!dryRun) writeFileSync(path, packed.tarball);
  const summary = `${path} (${packed.tarball.length} bytes, ${packed.files.length} files)`;
  out.result(
    {
      name: packed.name,
      version: packed.version,
      path,
      integrity: packed.integrity,
      shasum: packed.shasum,
      size: packed.tarball.length,
      unpackedSize: packed.unpackedSize,
      files: packed.files,
      warnings: packed.warnings,
      dryRun,
    },
    `${packed.files.map((f) => `  ${f}`).join("\n")}\n${dryRun ? `would write ${summary}; nothing written (--dry-run)` : summary}\n${packed.integrity}`,
  );
}
