import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { packPlugin, requireLentDependencies } from "@buntime/supply";
import { parseCommand } from "../common/args.ts";
import { runCommand } from "../common/output.ts";

/** The `--help` text of `buntime plugin pack`. */
export const PACK_HELP = `Usage: buntime plugin pack [dir] [--out <folder>] [--json]

Validates the manifest and writes a deterministic npm-format tarball of the plugin in dir
(default: the current folder) to --out (default: the current folder). The same files always
give the same bytes. Refuses npm dependencies (and required peers) the kernel does not lend
(@buntime/sdk, hono, zod, semver, lru-cache): bundle those into the plugin's code. Picks files by npm's rules ("files" in package.json, nested .npmignore or
.gitignore, always- and never-packed files) and warns on stderr about packed files that look
like secrets (.env*, *.pem, *.key, id_rsa*) or are source maps.
`;

/** `buntime plugin pack`: writes the plugin's tarball and prints its integrity. */
export async function runPack(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { out: { type: "string" } });
  return runCommand("plugin pack", values, PACK_HELP, async (out) => {
    const dir = resolve(positionals[0] ?? ".");
    const packed = packPlugin(dir);
    requireLentDependencies(packed, dir);
    for (const warning of packed.warnings) process.stderr.write(`warning: ${warning}\n`);
    const path = join(resolve(values.out ?? "."), packed.filename);
    writeFileSync(path, packed.tarball);
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
      },
      `${packed.files.map((f) => `  ${f}`).join("\n")}\n${path} (${packed.tarball.length} bytes, ${packed.files.length} files)\n${packed.integrity}`,
    );
    return 0;
  });
}
