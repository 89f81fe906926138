import { guardCommand } from "../common/guard.ts";
import { runAppCreate } from "./create.ts";
import { runAppDeploy } from "./deploy.ts";
import { runAppList, runAppRemove, runAppRollback } from "./manage.ts";
import { runAppPack } from "./pack.ts";
import { runAppPublish } from "./publish.ts";

/** The `--help` text of `buntime app`. */
export const APP_HELP = `Usage: buntime app <command> [options]

Authoring:
  create <name>              scaffold an app package (manifest, entry, test, README)
  pack [dir]                 write a deterministic tarball of an app
  publish [dir]              pack, sign and publish an app (--tag, --registry)

Deploying into the running kernel (--home, default: the nearest .buntime up from here, or --url):
  deploy <name>[@range]      from the registry, or a folder or .tgz; becomes active
  list                       deployed apps, versions, the active one, who and when
  rollback <name>            back to the version active before
  remove <name>              a version (--version) or the whole app

Every command takes --json and --help. The kernel needs @buntime/plugin-deployments.
`;

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  create: runAppCreate,
  pack: runAppPack,
  publish: runAppPublish,
  deploy: runAppDeploy,
  list: runAppList,
  rollback: runAppRollback,
  remove: runAppRemove,
};

/** `buntime app <command>`: dispatches to one module per subcommand. */
export async function runApp(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(APP_HELP);
    return name === undefined ? 2 : 0;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    process.stderr.write(
      `buntime app: unknown command '${name}' [BUNTIME_ERR_CLI_USAGE]\n  hint: run buntime app --help\n`,
    );
    return 2;
  }
  return guardCommand(`app ${name}`, command)(rest);
}
