import { resolve } from "node:path";
import { packPlugin, requireLentDependencies } from "@buntime/supply";
import { parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { PUBLISH_OPTIONS, publishPacked } from "../common/publish-packed.ts";

/** The `--help` text of `buntime plugin publish`. */
export const PUBLISH_HELP = `Usage: buntime plugin publish [dir] [--tag <tag>] [--registry <url>] [--key <file>] [--dry-run] [--json]

Packs the plugin in dir (default: the current folder), its bundleDependencies included, and
publishes it; refuses, as pack does, npm dependencies the kernel does not lend and the plugin
does not bundle. Signs the tarball's integrity with the publisher key (--key, else the one
from buntime keys generate) when there is one. Needs a token: buntime login, or BUNTIME_REGISTRY_TOKEN.

Options:
  --tag <tag>        dist-tag to point at this version (default latest)
  --registry <url>   registry (default: BUNTIME_REGISTRY, the CLI settings, http://127.0.0.1:4873/)
  --key <file>       ed25519 private key (PEM) to sign with
  --no-sign          publish without a publisher signature
  --dry-run          print what would be sent where (files, size, integrity, signature, token);
                     send nothing
`;

/** `buntime plugin publish`: pack, sign when a key is configured, publish. */
export async function runPublish(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, PUBLISH_OPTIONS);
  return runCommand("plugin publish", values, PUBLISH_HELP, async (out) => {
    const context = cliContext({ registry: values.registry });
    const dir = resolve(positionals[0] ?? ".");
    const packed = packPlugin(dir);
    requireLentDependencies(packed, dir);
    await publishPacked(packed, values, context, out);
    return 0;
  });
}
