import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { lockfilePath } from "@buntime/kernel";
import { BuntimeError } from "@buntime/sdk";
import { HOME_OPTIONS, parseCommand, usage } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { announceHome } from "../common/home.ts";
import { holdInterrupts, interruptHeld } from "../common/interrupt.ts";
import { runCommand } from "../common/output.ts";
import { installedDependents } from "../install/apply.ts";
import { beginHomeChange } from "../install/home-change.ts";
import { withHomeLock } from "../install/home-lock.ts";
import { findKernel } from "../install/kernel-link.ts";
import { historyPath, readHistory, readLock, writeHistory, writeLock } from "../install/lock-store.ts";
import { canonicalName } from "../install/plan.ts";
import { refuseBundled } from "./bundled.ts";
import { appsGuardedBy } from "./guarded-apps.ts";

/** The `--help` text of `buntime plugin remove`. */
export const REMOVE_HELP = `Usage: buntime plugin remove <name> [--force] [--home <dir>] [--json]

Unloads the plugin from the kernel running on the home, removes it from lock.json and deletes
its folders (the version kept for rollback too). Refuses when another installed plugin depends
on it, or when it provides auth and the home has protected or internal apps (they would answer
503 without it), unless --force. Any failure leaves the home as it was.
`;

/** `buntime plugin remove <name>`. */
export async function runRemove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...HOME_OPTIONS, force: { type: "boolean" } });
  return runCommand("plugin remove", values, REMOVE_HELP, async (out) => {
    const [given] = positionals;
    if (!given) usage("plugin remove needs a plugin name");
    const context = cliContext(values);
    announceHome(out, context.resolvedHome, true);
    const { home } = context;
    return withHomeLock(home, async () => {
      const lock = await readLock(home);
      await refuseBundled(home, given, lock.plugins, "remove");
      const name = await canonicalName(given, undefined, lock.plugins);
      const entry = lock.plugins[name];
      if (!entry) throw new BuntimeError("BUNTIME_ERR_INSTALL_NOT_INSTALLED", { package: name, home });
      const others = { ...lock.plugins };
      delete others[name];
      const needing = (installedDependents(home, others).get(name) ?? []).map((d) => d.dependent);
      if (needing.length > 0 && !values.force) {
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_IN_USE", { plugin: name, dependents: needing.join(", ") });
      }
      const guarded = values.force ? [] : await appsGuardedBy(home, name, entry.version);
      if (guarded.length > 0) {
        throw new BuntimeError("BUNTIME_ERR_INSTALL_AUTH_GUARDS_APPS", {
          plugin: name,
          apps: guarded.join(", "),
        });
      }
      const history = readHistory(home);
      const change = beginHomeChange(home);
      try {
        change.retire(join(home, "plugins", name));
        change.write(lockfilePath(home), () => writeLock(home, { lockfileVersion: 1, plugins: others }));
        if (history[name]) {
          const rest = { ...history };
          delete rest[name];
          change.write(historyPath(home), () => writeHistory(home, rest));
        }
        const kernel = await findKernel(home);
        if (kernel && (await kernel.loaded()).some((p) => p.name === name)) {
          await holdInterrupts(async () => {
            await kernel.unload(name);
            if (!interruptHeld()) return;
            change.rollback(); // first: the kernel loads the plugin from the folder this puts back
            await kernel.apply([{ name, version: entry.version }]).catch(() => undefined);
          });
        }
        change.commit();
        const scope = join(home, "plugins", name, "..");
        if (name.startsWith("@") && readdirSync(scope).length === 0) rmSync(scope, { recursive: true });
        out.result(
          { removed: name, version: entry.version, kernel: kernel?.url ?? null },
          `- ${name}@${entry.version}${kernel ? ` (unloaded from ${kernel.url})` : ""}`,
        );
        return 0;
      } catch (error) {
        change.rollback();
        throw error;
      }
    });
  });
}
