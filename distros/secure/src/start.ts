/**
 * The secure distribution: `buntime.distro.json` beside this folder (the first-party plugins,
 * each signed by its publisher, every app in a process sandbox), locked and built against a
 * registry seeded with those plugins signed, then verified and run.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { lockAndBuild, serveBuiltDistribution } from "@buntime/distro";
import { KERNEL_START_OPTIONS, KERNEL_VERSION, loadStartConfig } from "@buntime/kernel";
import { createRegistryClient } from "@buntime/supply";
import { startSignedRegistry } from "./signed-registry.ts";

/** Where the plugins' libraries come from: this checkout's node_modules (the build is for this machine). */
const CHECKOUT_MODULES = join(import.meta.dir, "..", "..", "..", "node_modules");

/** The manifest the secure distribution runs. */
export const SECURE_MANIFEST = join(import.meta.dir, "..", "buntime.distro.json");

const HELP = `Usage: bun distros/secure/src/start.ts [options]

Runs the secure Buntime distribution (distros/secure/buntime.distro.json): the first-party
plugins, locked only when signed by their publisher (buntime) and the registry, every app in a
process sandbox (bubblewrap). A registry on 127.0.0.1 (storage in <home>/registry) is seeded
with the plugins signed by this home's first-party key (<home>/publisher/first-party.pem, made
on the first start); the manifest is locked against it and built into <home>/distro (every
tarball checked against its integrity and both signatures, every file again at start); then a
kernel runs the build. The kernel's marketplace (and the CLI commands it runs) browses and
installs from this registry, unless BUNTIME_REGISTRY names another one. SIGTERM or SIGINT stops
both.

Options:
  --port <n>           kernel port (env BUNTIME_PORT, default 8000; 0 picks a free port)
  --hostname <host>    kernel address (env BUNTIME_HOSTNAME, default 127.0.0.1)
  --home <dir>         Buntime home (env BUNTIME_HOME, default ./.buntime-secure)
  --config <file>      settings file (default ./buntime.config.json when present)
  --registry-port <n>  registry port (default 4874; 0 picks a free port)
  -h, --help           show this help
`;

/** Starts the secure distribution with command-line `args`; resolves with the exit code. */
export async function startSecureDistribution(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...KERNEL_START_OPTIONS,
      "registry-port": { type: "string", default: "4874" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const start = {
    ...values,
    home: values.home ?? (process.env.BUNTIME_HOME ? undefined : ".buntime-secure"),
  };
  const { home } = loadStartConfig(start);
  const registry = await startSignedRegistry(SECURE_MANIFEST, home, Number(values["registry-port"]));
  process.stdout.write(
    `registry ${registry.url} seeded (publisher-signed) with ${registry.seeded.join(", ")}\n`,
  );
  let build: string;
  try {
    ({ build } = await lockAndBuild({
      manifestPath: SECURE_MANIFEST,
      client: createRegistryClient({ registry: registry.url }),
      kernelVersion: KERNEL_VERSION,
      workDir: join(home, "distro"),
      builder: "@buntime/distro-secure 0.1.0",
      linkModules: CHECKOUT_MODULES,
    }));
  } catch (error) {
    await registry.stop();
    throw error;
  }
  // the kernel's marketplace (and the CLI it runs) default to 127.0.0.1:4873, so they are told
  // the registry started here; one the user named in BUNTIME_REGISTRY (not empty) stays theirs
  process.env.BUNTIME_REGISTRY ||= registry.url;
  return serveBuiltDistribution(build, start, { home, companions: [registry] });
}

if (import.meta.main) {
  try {
    process.exit(await startSecureDistribution(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`buntime: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
