import { resolve } from "node:path";
import { packPlugin, requireLentDependencies } from "@buntime/supply";
import { parseCommand } from "../common/args.ts";
import { runCommand } from "../common/output.ts";
import { PACK_OPTIONS, reportPacked } from "../common/pack-report.ts";

/** The `--help` text of `buntime plugin pack`. */
export const PACK_HELP = `Usage: buntime plugin pack [dir] [--out <folder>] [--dry-run] [--json]

Validates the manifest and writes a deterministic npm-format tarball of the plugin in dir
(default: the current folder) to --out (default: the current folder). The same files always
give the same bytes. Packages named in "bundleDependencies" are packed under node_modules/
with what they depend on (found where Node would, so npm install first). Refuses npm
dependencies (and required peers) the kernel does not lend (@buntime/sdk, hono, zod, semver,
lru-cache) and the plugin does not bundle. Picks files by npm's rules ("files" in package.json,
nested .npmignore or .gitignore, always- and never-packed files) and warns on stderr about packed files that look
like secrets (.env*, *.pem, *.key, id_rsa*) or are source maps. --dry-run prints the files,
size and integrity the tarball would have and writes nothing.
`;

/** `buntime plugin pack`: writes the plugin's tarball and prints its integrity. */
export async function runPack(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, PACK_OPTIONS);
  return runCommand("plugin pack", values, PACK_HELP, async (out) => {
    const dir = resolve(positionals[0] ?? ".");
    const packed = packPlugin(dir);
    requireLentDependencies(packed, dir);
    reportPacked(out, packed, values);
    return 0;
  });
}
