import { existsSync, readFileSync } from "node:fs";
import { signIntegrity } from "@buntime/supply";
import { HOME_OPTIONS, parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { packApp } from "./pack.ts";

/** The `--help` text of `buntime app publish`. */
export const APP_PUBLISH_HELP = `Usage: buntime app publish [dir] [--tag <tag>] [--registry <url>] [--key <file>] [--json]

Packs the app in dir (default: the current folder) and publishes it as an npm-format package,
signed with the publisher key when there is one (as buntime plugin publish does).
`;

/** `buntime app publish`: pack, sign when a key is configured, publish. */
export async function runAppPublish(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    registry: HOME_OPTIONS.registry,
    tag: { type: "string" },
    key: { type: "string" },
    "no-sign": { type: "boolean" },
  });
  return runCommand("app publish", values, APP_PUBLISH_HELP, async (out) => {
    const context = cliContext({ registry: values.registry });
    const packed = packApp(positionals[0] ?? ".");
    for (const warning of packed.warnings) process.stderr.write(`warning: ${warning}\n`);
    const keyPath = values.key ?? context.settings.signingKey;
    const sign =
      !values["no-sign"] && keyPath !== undefined && (values.key !== undefined || existsSync(keyPath));
    const publisherSignature = sign
      ? signIntegrity(readFileSync(keyPath as string, "utf8"), packed.integrity)
      : undefined;
    await context.client.publish(packed, { tag: values.tag, publisherSignature });
    out.result(
      { name: packed.name, version: packed.version, registry: context.registry, integrity: packed.integrity },
      `published ${packed.name}@${packed.version} to ${context.registry}`,
    );
    return 0;
  });
}
