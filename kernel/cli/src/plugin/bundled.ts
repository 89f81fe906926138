/**
 * Plugins a running kernel loads from its plugin folders (`pluginDirs`, `--plugins`, a
 * distribution) rather than from the home: the CLI lists them, and explains instead of failing
 * oddly when asked to remove or upgrade one.
 */
import { BuntimeError } from "@buntime/sdk";
import { withHint } from "../common/output.ts";
import { findKernel } from "../install/kernel-link.ts";
import type { LockEntry } from "../install/lock-store.ts";
import { FIRST_PARTY_PREFIX } from "../install/plan.ts";

/** What to do instead, per command. */
const INSTEAD: Record<string, string> = {
  remove:
    "to stop running it, take it out of the distribution (buntime distro remove <name>, or its folder out of pluginDirs/--plugins), rebuild and restart the kernel",
  upgrade:
    "install a registry version over it (buntime plugin install <name>: an installed version wins over a bundled one), or upgrade it in the distribution (buntime distro upgrade) and rebuild",
  rollback:
    "a bundled plugin has no previous version in the home; change its version in the distribution and rebuild",
};

/**
 * Throws `BUNTIME_ERR_CLI_PLUGIN_BUNDLED` (with what to do instead of `command`) when `given`
 * is not installed in `home` but the kernel running on it has it loaded: it came with the
 * kernel's distribution, and only the distribution can change it.
 */
export async function refuseBundled(
  home: string,
  given: string,
  installed: Record<string, LockEntry>,
  command: keyof typeof INSTEAD,
): Promise<void> {
  const names = given.startsWith("@") ? [given] : [`${FIRST_PARTY_PREFIX}${given}`, given];
  if (names.some((name) => installed[name])) return;
  const kernel = await findKernel(home).catch(() => undefined);
  if (!kernel) return;
  const loaded = await kernel.loaded().catch(() => []);
  const plugin = loaded.find((p) => names.includes(p.name));
  if (!plugin) return;
  throw withHint(
    new BuntimeError("BUNTIME_ERR_CLI_PLUGIN_BUNDLED", { plugin: plugin.name, url: kernel.url, home }),
    (INSTEAD[command] as string).replaceAll("<name>", plugin.name),
  );
}
