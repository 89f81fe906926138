import { guardCommand, lazyCommand as lazy } from "../common/guard.ts";

/** The `--help` text of `buntime distro`. */
export const DISTRO_HELP = `Usage: buntime distro <command> [options]

A distribution is a kernel plus a locked set of plugins and apps (buntime.distro.json).

  init                      write a starter buntime.distro.json
  add <name>[@range]...     add plugins to the manifest (or change their range; --app: apps)
  remove <name>...          remove plugins from the manifest (--app: apps)
  lock                      resolve the manifest against the registry into distro.lock.json
  build [--out DIR]         build the locked distribution into a self-contained folder (--image: its OCI image)
  start [DIR]               verify a built distribution and start it, offline
  outdated                  current, wanted and latest version of each plugin and app, permission changes
  upgrade [name...] [--plan] lock newer versions of some or all plugins and apps (--plan writes nothing)
  export                    write the manifest of what a home (or the kernel on it) runs

Every command takes --file (default ./buntime.distro.json), --json and --help.
`;

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  init: lazy(async () => (await import("./init.ts")).runInit),
  add: lazy(async () => (await import("./edit.ts")).runAdd),
  remove: lazy(async () => (await import("./edit.ts")).runRemoveFromDistro),
  lock: lazy(async () => (await import("./lock.ts")).runLock),
  build: lazy(async () => (await import("./build.ts")).runBuild),
  start: lazy(async () => (await import("./start.ts")).runDistroStart),
  outdated: lazy(async () => (await import("./outdated.ts")).runOutdated),
  upgrade: lazy(async () => (await import("./upgrade.ts")).runUpgradeDistro),
  export: lazy(async () => (await import("./export.ts")).runExport),
};

/** `buntime distro <command>`: dispatches to one module per subcommand. */
export async function runDistro(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(DISTRO_HELP);
    return name === undefined ? 2 : 0;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    process.stderr.write(
      `buntime distro: unknown command '${name}' [BUNTIME_ERR_CLI_USAGE]\n  hint: run buntime distro --help\n`,
    );
    return 2;
  }
  return guardCommand(`distro ${name}`, command)(rest);
}
