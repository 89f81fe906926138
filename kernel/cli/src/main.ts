/**
 * The `buntime` command line: dispatches to one module per subcommand. Every failure ends
 * with a one-line cause on stderr and a non-zero exit code.
 */

import { isBuntimeError } from "@buntime/sdk";
import { guardCommand, lazyCommand as lazy } from "./common/guard.ts";
import { paint } from "./common/output.ts";

const HELP = `Usage: buntime <command> [options]

Commands:
  start       start the kernel (buntime start --help for its options)
  plugin      create, pack, publish, install, list, upgrade, remove plugins (buntime plugin --help)
  app         create, publish, deploy, list, roll back, remove apps (buntime app --help)
  distro      compose, lock, build and start distributions (buntime distro --help)
  login       sign in to a registry and save the token
  whoami      the user of the saved registry token
  keys        generate and register a publisher signing key
  registry    run a plugin registry (buntime registry start)
  version     print the version (also --version, -v; run from a built distribution, its provenance)
  help        show this help
`;

const runVersion = lazy(async () => (await import("./distro/version.ts")).runVersion);

// each command's module is imported when it runs: a start loads no registry, packer or builder
const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  start: lazy(async () => (await import("./start.ts")).runStart),
  plugin: lazy(async () => (await import("./plugin/index.ts")).runPlugin),
  app: lazy(async () => (await import("./app/index.ts")).runApp),
  distro: lazy(async () => (await import("./distro/index.ts")).runDistro),
  login: guardCommand(
    "login",
    lazy(async () => (await import("./account.ts")).runLogin),
  ),
  whoami: guardCommand(
    "whoami",
    lazy(async () => (await import("./account.ts")).runWhoami),
  ),
  keys: guardCommand(
    "keys",
    lazy(async () => (await import("./keys.ts")).runKeys),
  ),
  registry: guardCommand(
    "registry",
    lazy(async () => (await import("./registry.ts")).runRegistry),
  ),
  version: runVersion,
  "--version": runVersion,
  "-v": runVersion,
  help: async () => {
    process.stdout.write(HELP);
    return 0;
  },
};

/** Runs the CLI with `argv` (without the runtime and script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name = "help", ...rest] = argv;
  const command = COMMANDS[name === "--help" || name === "-h" ? "help" : name];
  if (!command) {
    process.stderr.write(`buntime: unknown command '${name}'\n${HELP}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = isBuntimeError(error) ? ` [${error.code}]` : "";
    process.stderr.write(`${paint(`buntime ${name}: ${message}${code}`, "red")}\n`);
    return 1;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
