/**
 * `npm start`: the default distribution. A registry on 127.0.0.1 seeded with the first-party
 * plugins; `buntime.distro.json` locked against it and built (verified tarballs, extracted
 * plugins) into <home>/distro, exactly as a user's distribution would be; and a kernel running
 * that build besides (and yielding to) the plugins installed in its home.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { lockAndBuild, serveBuiltDistribution } from "@buntime/distro";
import { KERNEL_START_OPTIONS, KERNEL_VERSION, loadStartConfig } from "@buntime/kernel";
import { createRegistryClient } from "@buntime/supply";
import { startSeededRegistry } from "./seeded-registry.ts";

/** The manifest `npm start` runs. */
export const DEFAULT_MANIFEST = join(import.meta.dir, "..", "buntime.distro.json");

const HELP = `Usage: npm start -- [options]

Runs the default Buntime distribution (distros/default/buntime.distro.json): a registry on
127.0.0.1 (storage in <home>/registry) seeded with the first-party plugins, signed by the
publisher buntime with this home's key (<home>/publisher/first-party.pem); the manifest locked
against it and built into <home>/distro (every tarball checked against its integrity and the
registry's signature, then every file checked again at start); and a kernel running those
plugins besides the ones installed in its home (an installed version wins). Apps dropped into
<home>/apps/ are served at /<app>/. The kernel's marketplace (and the CLI commands it runs)
browses and installs from this registry, unless BUNTIME_REGISTRY names another one. SIGTERM or
SIGINT stops both.

Options:
  --port <n>           kernel port (env BUNTIME_PORT, default 8000; 0 picks a free port)
  --hostname <host>    kernel address (env BUNTIME_HOSTNAME, default 127.0.0.1)
  --home <dir>         Buntime home (env BUNTIME_HOME, default ./.buntime)
  --config <file>      settings file (default ./buntime.config.json when present)
  --registry-port <n>  registry port (default 4873; 0 picks a free port)
  -h, --help           show this help
`;

/** The node_modules folder this package's libraries (and so the plugins' ones) come from. */
function modulesFolder(): string {
  for (let dir = import.meta.dir; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", "@buntime", "kernel"))) return join(dir, "node_modules");
  }
  throw new Error(`no node_modules with @buntime/kernel above ${import.meta.dir}; run npm install`);
}

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
  const { home } = loadStartConfig(values);
  const registry = await startSeededRegistry(home, Number(values["registry-port"]));
  process.stdout.write(`registry ${registry.url} seeded with ${registry.seeded.join(", ")}\n`);
  if (registry.unsigned.length > 0) {
    process.stderr.write(
      `note: ${registry.unsigned.join(", ")} were stored unsigned by an earlier start; distributions requiring publisher signatures cannot lock them (remove ${join(home, "registry")} and ${join(home, "distro")} to seed them signed)\n`,
    );
  }
  let build: string;
  try {
    ({ build } = await lockAndBuild({
      manifestPath: DEFAULT_MANIFEST,
      client: createRegistryClient({ registry: registry.url }),
      kernelVersion: KERNEL_VERSION,
      workDir: join(home, "distro"),
      builder: "@buntime/distro-default 0.1.0",
      linkModules: modulesFolder(),
    }));
  } catch (error) {
    await registry.stop();
    throw error;
  }
  // the kernel's marketplace (and the CLI it runs) default to 127.0.0.1:4873, so they are told
  // the registry started here; one the user named in BUNTIME_REGISTRY (not empty) stays theirs
  process.env.BUNTIME_REGISTRY ||= registry.url;
  return serveBuiltDistribution(build, values, { home, companions: [registry] });
}

if (import.meta.main) {
  try {
    process.exit(await startDefaultDistribution(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`buntime: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
