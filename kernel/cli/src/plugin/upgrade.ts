import { BuntimeError } from "@buntime/sdk";
import { HOME_OPTIONS, parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { announceHome } from "../common/home.ts";
import { runCommand } from "../common/output.ts";
import { installPlugins } from "../install/apply.ts";
import { readLock } from "../install/lock-store.ts";
import { canonicalName } from "../install/plan.ts";
import { refuseBundled } from "./bundled.ts";
import { policyOf, reportInstall } from "./install.ts";

/** The `--help` text of `buntime plugin upgrade`. */
export const UPGRADE_HELP = `Usage: buntime plugin upgrade [name...] [options]

Upgrades the named plugins (default: every installed plugin) to the newest version this kernel
supports, swapping each in a running kernel atomically. The version it replaces is kept for
buntime plugin rollback until the next successful upgrade.

Options: --home, --config, --registry, --signatures, --json (as for plugin install)
`;

/** `buntime plugin upgrade [name...]`. */
export async function runUpgrade(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...HOME_OPTIONS, signatures: { type: "string" } });
  return runCommand("plugin upgrade", values, UPGRADE_HELP, async (out) => {
    const context = cliContext(values);
    announceHome(out, context.resolvedHome, true);
    const lock = await readLock(context.home);
    for (const given of positionals) await refuseBundled(context.home, given, lock.plugins, "upgrade");
    const named = await Promise.all(positionals.map((name) => canonicalName(name, undefined, lock.plugins)));
    for (const name of named) {
      if (!lock.plugins[name]) {
        throw new BuntimeError("BUNTIME_ERR_INSTALL_NOT_INSTALLED", { package: name, home: context.home });
      }
    }
    const names = named.length ? named : Object.keys(lock.plugins);
    const policy = policyOf(values.signatures, context.settings.signaturePolicy);
    const result = await installPlugins(
      context,
      out,
      names.map((name) => ({ name })),
      { policy, upgrade: true },
    );
    // an empty home is not "up to date": plugins bundled with the kernel are upgraded in its distribution
    const nothing = names.length
      ? "everything is up to date"
      : `no plugins installed in ${context.home}: nothing to upgrade (bundled ones change with the distribution)`;
    reportInstall(out, result, nothing);
    return 0;
  });
}
