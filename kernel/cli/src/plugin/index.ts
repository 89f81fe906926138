import { guardCommand } from "../common/guard.ts";
import { runCreate } from "./create.ts";
import { runInfo } from "./info.ts";
import { runInstall } from "./install.ts";
import { runList } from "./list.ts";
import { runPack } from "./pack.ts";
import { runPublish } from "./publish.ts";
import { runRemove } from "./remove.ts";
import { runRollback } from "./rollback.ts";
import { runSearch } from "./search.ts";
import { runUpgrade } from "./upgrade.ts";

/** The `--help` text of `buntime plugin`. */
export const PLUGIN_HELP = `Usage: buntime plugin <command> [options]

Authoring:
  create <name>             scaffold a plugin (manifest, entry, test, README)
  pack [dir]                write a deterministic tarball of a plugin
  publish [dir]             pack, sign and publish a plugin (--tag, --registry)

Installing into a home (--home, default: the nearest .buntime or buntime.config.json up from here):
  install <name>[@range]... install plugins and their plugin dependencies
  list                      installed plugins, loaded or not, updates
  info <name>               a plugin in the registry
  search [words]            plugins in the registry's marketplace
  upgrade [name...]         newest versions this kernel supports
  remove <name>             uninstall (--force if others depend on it)
  rollback <name>           back to the version before the last upgrade

Every command takes --json and --help.
`;

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  create: runCreate,
  pack: runPack,
  publish: runPublish,
  install: runInstall,
  list: runList,
  info: runInfo,
  search: runSearch,
  upgrade: runUpgrade,
  remove: runRemove,
  rollback: runRollback,
};

/** `buntime plugin <command>`: dispatches to one module per subcommand. */
export async function runPlugin(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(PLUGIN_HELP);
    return name === undefined ? 2 : 0;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    const known = Object.keys(SUBCOMMANDS).find((k) => k.startsWith(name.slice(0, 2)));
    process.stderr.write(
      `buntime plugin: unknown command '${name}' [BUNTIME_ERR_CLI_USAGE]\n  hint: ${known ? `did you mean '${known}'? ` : ""}run buntime plugin --help\n`,
    );
    return 2;
  }
  return guardCommand(`plugin ${name}`, command)(rest);
}
