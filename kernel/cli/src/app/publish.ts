import { parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { PUBLISH_OPTIONS, publishPacked } from "../common/publish-packed.ts";
import { packApp } from "./pack.ts";

/** The `--help` text of `buntime app publish`. */
export const APP_PUBLISH_HELP = `Usage: buntime app publish [dir] [--tag <tag>] [--registry <url>] [--key <file>] [--dry-run] [--json]

Packs the app in dir (default: the current folder) and publishes it as an npm-format package,
signed with the publisher key when there is one (as buntime plugin publish does). --dry-run
prints what would be sent where and sends nothing.
`;

/** `buntime app publish`: pack, sign when a key is configured, publish. */
export async function runAppPublish(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, PUBLISH_OPTIONS);
  return runCommand("app publish", values, APP_PUBLISH_HELP, async (out) => {
    const context = cliContext({ registry: values.registry });
    await publishPacked(packApp(positionals[0] ?? "."), values, context, out);
    return 0;
  });
}
