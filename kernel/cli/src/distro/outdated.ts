import { formatTable, outdatedPlugins, readLock, readManifest } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { DISTRO_OPTIONS, lockPathOf, manifestPathOf } from "./common.ts";

/** The `--help` text of `buntime distro outdated`. */
export const OUTDATED_HELP = `Usage: buntime distro outdated [options]

For every locked plugin and registry app ("app <name>"): the locked version (current), the one a lock made now would pick
(wanted: every range, this kernel), the registry's latest, and the permissions the latest asks
for that the current does not (+) or no longer asks for (-). Changes nothing.

Options:
  -f, --file <path>   manifest (default ./buntime.distro.json; its distro.lock.json beside it)
  --registry <url>    registry (default: the lock's)
  --json              print the rows as JSON
`;

/** `buntime distro outdated`. */
export async function runOutdated(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { ...DISTRO_OPTIONS, registry: { type: "string" } });
  return runCommand("distro outdated", values, OUTDATED_HELP, async (out) => {
    const manifestPath = manifestPathOf(values);
    const manifest = readManifest(manifestPath);
    const lock = readLock(lockPathOf(manifestPath));
    const { client } = cliContext({ registry: values.registry ?? lock.registry });
    const rows = await outdatedPlugins(manifest, lock, client, KERNEL_VERSION);
    const table = formatTable([
      ["plugin", "current", "wanted", "latest", "permissions"],
      ...rows.map((row) => [
        row.name,
        row.current,
        row.wanted ?? "(none fits)",
        row.latest ?? "?",
        [...row.permissions.added.map((p) => `+${p}`), ...row.permissions.removed.map((p) => `-${p}`)].join(
          ", ",
        ),
      ]),
    ]);
    out.result(rows, table);
    return 0;
  });
}
