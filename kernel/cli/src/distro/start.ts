import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BUILD_FILES, serveBuiltDistribution, verifyBuild } from "@buntime/distro/start";
import { KERNEL_START_OPTIONS, KERNEL_VERSION } from "@buntime/kernel";
import { parseCommand } from "../common/args.ts";
import { runCommand } from "../common/output.ts";
import { defaultClusterSupply } from "../install/cluster-supply.ts";

/** The `--help` text of `buntime distro start`. */
export const DISTRO_START_HELP = `Usage: buntime distro start [dir] [options]
       buntime start --distro <dir> [options]

Starts a built distribution (default ./build) with no registry and no network: first every
plugin's tarball is checked against the lock's sha512 integrity and signatures, and every
extracted file against its tarball (no file changed, missing or added), and the copied runner
against the build's hashes. Any mismatch refuses the start, naming the package and the file,
before anything is loaded. The kernel then runs the locked plugins with the manifest's
settings (a settings file's entries win), its home <dir>/home unless --home says otherwise.
GET /.well-known/buntime answers the build's provenance (build.json). With
BUNTIME_CLUSTER_POSTGRES set it runs as a cluster node (docs/scale-out.md), fetching the plugins
installed beyond the build from BUNTIME_REGISTRY.

Options:
  --port <n>         port to listen on (env BUNTIME_PORT, default 8000; 0 picks a free port)
  --hostname <host>  address to bind (env BUNTIME_HOSTNAME, default 127.0.0.1)
  --home <dir>       Buntime home (default <dir>/home)
  --config <file>    settings file (default ./buntime.config.json when present)
  --version          print the kernel version and the build's provenance, after verifying it
`;

/** `buntime distro start [dir]`. */
export async function runDistroStart(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    ...KERNEL_START_OPTIONS,
    version: { type: "boolean" },
  });
  const dir = resolve(positionals[0] ?? "build");
  return runCommand("distro start", values, DISTRO_START_HELP, async () => {
    if (!values.version) {
      return serveBuiltDistribution(dir, values, { clusterSupply: defaultClusterSupply });
    }
    verifyBuild(dir);
    const provenance = readFileSync(join(dir, BUILD_FILES.provenance), "utf8");
    process.stdout.write(`buntime ${KERNEL_VERSION}\n${provenance}`);
    return 0;
  });
}
