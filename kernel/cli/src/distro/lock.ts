import { existsSync, readFileSync } from "node:fs";
import { type LockedPackage, lockDistribution, readLock, readManifest, serializeLock } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { parseCommand } from "../common/args.ts";
import { writeFileAtomic } from "../common/atomic-write.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { DISTRO_OPTIONS, lockPathOf, manifestPathOf } from "./common.ts";

/** The `--help` text of `buntime distro lock`. */
export const LOCK_HELP = `Usage: buntime distro lock [options]

Resolves buntime.distro.json against the registry into distro.lock.json beside it: for every
plugin (its plugin dependencies included) the newest version that satisfies every range that
wants it and runs on this kernel, and for every app given as a range the newest app package
in it; each with its sha512 integrity, the registry signature and the publisher's key id,
verified under the manifest's policy (apps too). The same manifest and registry
give the same bytes. Ranges nothing satisfies are printed as one table and nothing is written.

Options:
  -f, --file <path>   manifest (default ./buntime.distro.json)
  --registry <url>    registry (default: the manifest's, else BUNTIME_REGISTRY, the CLI settings, http://127.0.0.1:4873/)
  --json              print the lock as JSON
`;

/** `buntime distro lock`. */
export async function runLock(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { ...DISTRO_OPTIONS, registry: { type: "string" } });
  return runCommand("distro lock", values, LOCK_HELP, async (out) => {
    const manifestPath = manifestPathOf(values);
    const manifest = readManifest(manifestPath);
    const lockPath = lockPathOf(manifestPath);
    const { client } = cliContext({ registry: values.registry ?? manifest.registry });
    const previous = readLock(lockPath, true);
    const lock = await lockDistribution({
      manifest,
      manifestPath,
      client,
      kernelVersion: KERNEL_VERSION,
      previous,
    });
    const text = serializeLock(lock);
    const unchanged = existsSync(lockPath) && readFileSync(lockPath, "utf8") === text;
    if (!unchanged) writeFileAtomic(lockPath, text);
    const signed = (p: LockedPackage) =>
      p.publisher
        ? `signed by ${p.publisher.name} (key ${p.publisher.keyid})`
        : p.signature
          ? "registry-signed"
          : "unsigned";
    const lines = [
      ...Object.entries(lock.plugins).map(([name, p]) => `  ${name}@${p.version}  ${signed(p)}`),
      ...Object.entries(lock.apps ?? {}).map(
        ([name, app]) => `  app ${name}: ${app.package}@${app.version}  ${signed(app)}`,
      ),
    ];
    out.result(lock, `${unchanged ? "unchanged" : "wrote"} ${lockPath}\n${lines.join("\n")}`);
    return 0;
  });
}
