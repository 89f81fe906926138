import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { createKernel } from "../kernel.ts";
import { withDefaultDistribution } from "./default-distribution.ts";
import { startSeededRegistry } from "./seeded-registry.ts";

export const START_HELP = `Usage: buntime start [options]

Starts the kernel: loads the plugins pinned in <home>/plugins/lock.json and those in the
plugin folders, then serves HTTP. Without --plugins it runs the default distribution: the
first-party plugins (the router among them) besides those installed in the home, an installed
version winning over the bundled one; apps dropped into <home>/apps/ are served at /<app>/.
SIGTERM or SIGINT stops it gracefully.

Options:
  --port <n>         port to listen on (env BUNTIME_PORT, default 8000; 0 picks a free port)
  --hostname <host>  address to bind (env BUNTIME_HOSTNAME, default 0.0.0.0)
  --home <dir>       Buntime home (env BUNTIME_HOME, default ./.buntime)
  --config <file>    settings file (default ./buntime.config.json when present)
  --plugins <dir>    a folder of plugin folders to load as they are (repeatable)
  --with-registry    also run the default distribution's registry on 127.0.0.1, its storage
                     in <home>/registry, seeded with the first-party plugins
  --registry-port <n>  port of that registry (default 4873; 0 picks a free port)
  -h, --help         show this help
`;

/** `buntime start`: resolves settings, starts the plugins, listens, and stops on a signal. */
export async function runStart(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      hostname: { type: "string" },
      home: { type: "string" },
      config: { type: "string" },
      plugins: { type: "string", multiple: true },
      "with-registry": { type: "boolean" },
      "registry-port": { type: "string", default: "4873" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(START_HELP);
    return 0;
  }
  const config = withDefaultDistribution(
    loadConfig({
      configPath: values.config,
      overrides: {
        port: values.port === undefined ? undefined : Number(values.port),
        hostname: values.hostname,
        home: values.home,
        pluginDirs: values.plugins,
      },
    }),
  );
  const registry = values["with-registry"]
    ? await startSeededRegistry(config.home, Number(values["registry-port"]))
    : undefined;
  if (registry) {
    process.stdout.write(`registry ${registry.url} seeded with ${registry.seeded.join(", ")}\n`);
  }
  const kernel = createKernel({ config });
  await kernel.start();
  const url = await kernel.listen();
  // 0.0.0.0 is where the kernel binds, not an address to browse to
  if (url.hostname === "0.0.0.0") url.hostname = "localhost";
  process.stdout.write(`buntime ${kernel.version} listening on ${url.href}\n`);

  const stopped = Promise.withResolvers<number>();
  const stop = (signal: string) => {
    process.stdout.write(
      `${signal}: stopping (waiting up to ${config.shutdownTimeout} ms for requests in flight)\n`,
    );
    Promise.all([kernel.stop(), registry?.stop()]).then(
      () => stopped.resolve(0),
      () => stopped.resolve(1),
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return stopped.promise;
}
