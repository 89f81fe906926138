import { dirname, join, resolve } from "node:path";
import { MANIFEST_FILE } from "@buntime/distro";

/** Options every `buntime distro` command takes: where the manifest is. */
export const DISTRO_OPTIONS = {
  file: { type: "string", short: "f" },
} as const;

/** The manifest a command works on: `--file`, else `./buntime.distro.json`. */
export function manifestPathOf(flags: { file?: string }): string {
  return resolve(flags.file ?? MANIFEST_FILE);
}

/** `distro.lock.json` beside the manifest. */
export function lockPathOf(manifestPath: string): string {
  return join(dirname(manifestPath), "distro.lock.json");
}
