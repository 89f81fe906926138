import { KERNEL_VERSION } from "@buntime/kernel";
import { isBuntimeError } from "@buntime/sdk";
import { resolveVersion } from "@buntime/supply";
import semver from "semver";
import { HOME_OPTIONS, parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { findKernel } from "../install/kernel-link.ts";
import { readHistory, readLock } from "../install/lock-store.ts";

/** The `--help` text of `buntime plugin list`. */
export const LIST_HELP = `Usage: buntime plugin list [--home <dir>] [--registry <url>] [--offline] [--json]

Lists the plugins installed in the home with their versions, the version kept for rollback,
whether the running kernel has them loaded, and whether the registry has a newer version this
kernel supports (skipped with --offline, or shown as unknown when the registry is unreachable).
`;

/** `buntime plugin list`. */
export async function runList(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { ...HOME_OPTIONS, offline: { type: "boolean" } });
  return runCommand("plugin list", values, LIST_HELP, async (out) => {
    const context = cliContext(values);
    const lock = await readLock(context.home);
    const history = readHistory(context.home);
    const kernel = await findKernel(context.home).catch((error: Error) => void out.note(error.message));
    const loaded = new Map((await kernel?.loaded().catch(() => []))?.map((p) => [p.name, p]) ?? []);
    let registryDown = false;
    const plugins = [];
    for (const [name, entry] of Object.entries(lock.plugins).sort(([a], [b]) => a.localeCompare(b))) {
      let latest: string | null | undefined = null;
      if (!values.offline && !registryDown) {
        try {
          const packument = await context.client.packument(name);
          latest = packument ? resolveVersion(packument, "*", KERNEL_VERSION).version : null;
        } catch (error) {
          if (isBuntimeError(error, "BUNTIME_ERR_CLIENT_UNREACHABLE")) registryDown = true;
          latest = undefined;
        }
      }
      plugins.push({
        name,
        version: entry.version,
        previous: history[name]?.version ?? null,
        loaded: kernel ? loaded.get(name)?.version === entry.version : null,
        latest: latest ?? null,
        update: latest ? semver.gt(latest, entry.version) : latest === undefined ? null : false,
      });
    }
    if (registryDown) out.note(`registry ${context.registry} is unreachable: updates unknown`);
    const human = plugins.length
      ? plugins
          .map((p) => {
            const update = p.update
              ? `  (update: ${p.latest})`
              : p.update === null && !values.offline
                ? "  (update: ?)"
                : "";
            const state = p.loaded === null ? "" : p.loaded ? "  loaded" : "  not loaded";
            return `${p.name}@${p.version}${state}${update}${p.previous ? `  (rollback: ${p.previous})` : ""}`;
          })
          .join("\n")
      : `no plugins installed in ${context.home}`;
    out.result({ home: context.home, kernel: kernel?.url ?? null, plugins }, human);
    return 0;
  });
}
