/**
 * `npm start`: the default distribution. A registry on 127.0.0.1 seeded with the first-party
 * plugins, and a kernel running them besides (and yielding to) the plugins installed in its home.
 */
import { parseArgs } from "node:util";
import { createKernel, KERNEL_START_OPTIONS, loadStartConfig, serveUntilSignal } from "@buntime/kernel";
import { firstPartyPluginFolders } from "./first-party.ts";
import { startSeededRegistry } from "./seeded-registry.ts";

const HELP = `Usage: npm start -- [options]

Runs the default Buntime distribution: a registry on 127.0.0.1 (storage in <home>/registry)
seeded with the first-party plugins, and a kernel running those plugins besides the ones
installed in its home (an installed version wins). Apps dropped into <home>/apps/ are served at
/<app>/. SIGTERM or SIGINT stops both.

Options:
  --port <n>           kernel port (env BUNTIME_PORT, default 8000; 0 picks a free port)
  --hostname <host>    kernel address (env BUNTIME_HOSTNAME, default 127.0.0.1)
  --home <dir>         Buntime home (env BUNTIME_HOME, default ./.buntime)
  --config <file>      settings file (default ./buntime.config.json when present)
  --registry-port <n>  registry port (default 4873; 0 picks a free port)
  -h, --help           show this help
`;

/** Starts the default distribution with command-line `args`; resolves with the exit code. */
export async function startDefaultDistribution(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...KERNEL_START_OPTIONS,
      "registry-port": { type: "string", default: "4873" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadStartConfig(values);
  const registry = await startSeededRegistry(config.home, Number(values["registry-port"]));
  process.stdout.write(`registry ${registry.url} seeded with ${registry.seeded.join(", ")}\n`);
  const kernel = createKernel({
    config: { ...config, pluginDirs: [...config.pluginDirs, ...firstPartyPluginFolders()] },
  });
  return serveUntilSignal(kernel, [registry]);
}

if (import.meta.main) {
  try {
    process.exit(await startDefaultDistribution(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`buntime: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
