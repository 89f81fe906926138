import { parseArgs } from "node:util";
import { createKernel, KERNEL_START_OPTIONS, loadStartConfig, serveUntilSignal } from "@buntime/kernel";
import { defaultClusterSupply } from "./install/cluster-supply.ts";

export const START_HELP = `Usage: buntime start [options]

Starts the kernel: loads the plugins pinned in <home>/plugins/lock.json and those in the
plugin folders (an installed version wins over a folder's), then serves HTTP. SIGTERM or
SIGINT stops it gracefully. \`npm start\` in the Buntime repo runs the default distribution
(distros/default): this command with the first-party plugins, and a registry seeded with them.

Options:
  --port <n>         port to listen on (env BUNTIME_PORT, default 8000; 0 picks a free port)
  --hostname <host>  address to bind (env BUNTIME_HOSTNAME, default 127.0.0.1; 0.0.0.0 for all)
  --home <dir>       Buntime home (env BUNTIME_HOME, default ./.buntime)
  --config <file>    settings file (default ./buntime.config.json when present)
  --plugins <dir>    a plugin folder, or a folder of plugin folders, loaded as they are (repeatable)
  --distro <dir>     a built distribution: verified, then its plugins are run (buntime distro start --help)
  -h, --help         show this help

Several nodes on one desired state (docs/scale-out.md): BUNTIME_CLUSTER_POSTGRES, BUNTIME_NODE,
BUNTIME_CLUSTER_REDIS, BUNTIME_CLUSTER_RECONCILE_INTERVAL, and BUNTIME_REGISTRY for plugin tarballs.
`;

/** `buntime start`: resolves settings, starts the plugins, listens, and stops on a signal. */
export async function runStart(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...KERNEL_START_OPTIONS,
      plugins: { type: "string", multiple: true },
      distro: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(START_HELP);
    return 0;
  }
  if (values.distro) {
    // the distribution package (its builder, its lock resolver) is loaded only to start a build
    const { serveBuiltDistribution } = await import("@buntime/distro/start");
    return serveBuiltDistribution(values.distro, values, { clusterSupply: defaultClusterSupply });
  }
  const config = loadStartConfig(values, values.plugins);
  // a cluster node fetches the desired plugins from the registry of BUNTIME_REGISTRY (docs/scale-out.md)
  const clusterSupply = config.cluster ? defaultClusterSupply() : undefined;
  return serveUntilSignal(createKernel({ config, clusterSupply }));
}
