import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { packPlugin, requireLentDependencies, signIntegrity } from "@buntime/supply";
import { HOME_OPTIONS, parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";

/** The `--help` text of `buntime plugin publish`. */
export const PUBLISH_HELP = `Usage: buntime plugin publish [dir] [--tag <tag>] [--registry <url>] [--key <file>] [--json]

Packs the plugin in dir (default: the current folder) and publishes it; refuses, as pack does,
npm dependencies the kernel does not lend. Signs the tarball's
integrity with the publisher key (--key, else the one from buntime keys generate) when there
is one. Needs a token: buntime login, or BUNTIME_REGISTRY_TOKEN.

Options:
  --tag <tag>        dist-tag to point at this version (default latest)
  --registry <url>   registry (default: BUNTIME_REGISTRY, the CLI settings, http://127.0.0.1:4873/)
  --key <file>       ed25519 private key (PEM) to sign with
  --no-sign          publish without a publisher signature
`;

/** `buntime plugin publish`: pack, sign when a key is configured, publish. */
export async function runPublish(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    registry: HOME_OPTIONS.registry,
    tag: { type: "string" },
    key: { type: "string" },
    "no-sign": { type: "boolean" },
  });
  return runCommand("plugin publish", values, PUBLISH_HELP, async (out) => {
    const context = cliContext({ registry: values.registry });
    const dir = resolve(positionals[0] ?? ".");
    const packed = packPlugin(dir);
    requireLentDependencies(packed, dir);
    for (const warning of packed.warnings) process.stderr.write(`warning: ${warning}\n`);
    const keyPath = values.key ?? context.settings.signingKey;
    const sign =
      !values["no-sign"] && keyPath !== undefined && (values.key !== undefined || existsSync(keyPath));
    const publisherSignature = sign
      ? signIntegrity(readFileSync(keyPath as string, "utf8"), packed.integrity)
      : undefined;
    out.note(`publishing ${packed.name}@${packed.version} to ${context.registry}${sign ? " (signed)" : ""}`);
    await context.client.publish(packed, { tag: values.tag, publisherSignature });
    out.result(
      {
        name: packed.name,
        version: packed.version,
        tag: values.tag ?? "latest",
        registry: context.registry,
        integrity: packed.integrity,
        signedBy: publisherSignature?.keyid ?? null,
        warnings: packed.warnings,
      },
      `published ${packed.name}@${packed.version} (${values.tag ?? "latest"}) to ${context.registry}`,
    );
    return 0;
  });
}
