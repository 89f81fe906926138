import { existsSync } from "node:fs";
import { installedPluginDir, lockfilePath } from "@buntime/kernel";
import { BuntimeError, satisfiesRange } from "@buntime/sdk";
import { HOME_OPTIONS, parseCommand, usage } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { announceHome } from "../common/home.ts";
import { holdInterrupts } from "../common/interrupt.ts";
import { runCommand } from "../common/output.ts";
import { installedDependents } from "../install/apply.ts";
import { beginHomeChange } from "../install/home-change.ts";
import { withHomeLock } from "../install/home-lock.ts";
import { findKernel } from "../install/kernel-link.ts";
import { loadIntoKernel } from "../install/kernel-load.ts";
import { historyPath, readHistory, readLock, writeHistory, writeLock } from "../install/lock-store.ts";
import { canonicalName } from "../install/plan.ts";
import { refuseBundled } from "./bundled.ts";

/** The `--help` text of `buntime plugin rollback`. */
export const ROLLBACK_HELP = `Usage: buntime plugin rollback <name> [--home <dir>] [--json]

Puts back the version a plugin had before its last upgrade (kept on disk until the next
successful upgrade), swapping it in the running kernel atomically. Rolling back twice returns
to the upgraded version.
`;

/** `buntime plugin rollback <name>`. */
export async function runRollback(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, HOME_OPTIONS);
  return runCommand("plugin rollback", values, ROLLBACK_HELP, async (out) => {
    const [given] = positionals;
    if (!given) usage("plugin rollback needs a plugin name");
    const context = cliContext(values);
    announceHome(out, context.resolvedHome, true);
    const { home } = context;
    return withHomeLock(home, async () => {
      const lock = await readLock(home);
      await refuseBundled(home, given, lock.plugins, "rollback");
      const name = await canonicalName(given, undefined, lock.plugins);
      const current = lock.plugins[name];
      if (!current) throw new BuntimeError("BUNTIME_ERR_INSTALL_NOT_INSTALLED", { package: name, home });
      const history = readHistory(home);
      const previous = history[name];
      if (!previous || !existsSync(installedPluginDir(home, name, previous.version))) {
        throw new BuntimeError("BUNTIME_ERR_INSTALL_NO_PREVIOUS", { package: name });
      }
      for (const { dependent, range } of installedDependents(home, lock.plugins).get(name) ?? []) {
        if (!satisfiesRange(previous.version, range)) {
          throw new BuntimeError("BUNTIME_ERR_INSTALL_CONFLICT", {
            package: name,
            first: `${previous.version} (rollback)`,
            second: `${range} (installed ${dependent})`,
          });
        }
      }
      const change = beginHomeChange(home);
      try {
        change.write(lockfilePath(home), () =>
          writeLock(home, { lockfileVersion: 1, plugins: { ...lock.plugins, [name]: previous } }),
        );
        change.write(historyPath(home), () => writeHistory(home, { ...history, [name]: current }));
        const kernel = await findKernel(home);
        if (kernel) {
          const swap = { name, version: previous.version, replaces: current.version };
          await holdInterrupts(() => loadIntoKernel(kernel, [swap]));
        }
        change.commit();
        out.result(
          { name, version: previous.version, previous: current.version, kernel: kernel?.url ?? null },
          `${name}: ${current.version} -> ${previous.version}${kernel ? ` (swapped in ${kernel.url})` : ""}`,
        );
        return 0;
      } catch (error) {
        change.rollback();
        throw error;
      }
    });
  });
}
