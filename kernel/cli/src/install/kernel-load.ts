import { throwIfInterrupted } from "../common/interrupt.ts";
import type { KernelLink } from "./kernel-link.ts";
import type { PlannedPlugin } from "./plan.ts";

/**
 * Loads planned plugins into a running kernel as one batch: the kernel orders them and applies
 * them all or nothing (a refusal changes nothing there, data folders included). When an interrupt
 * was held back meanwhile (see `holdInterrupts`), the batch is undone with a second one (the
 * previous versions back, the new plugins unloaded, the kernel removing the data folders they left empty), and this throws.
 */
export async function loadIntoKernel(
  link: KernelLink,
  plan: Pick<PlannedPlugin, "name" | "version" | "replaces">[],
): Promise<void> {
  const loaded = new Set((await link.loaded()).map((p) => p.name));
  throwIfInterrupted();
  await link.apply(plan);
  try {
    throwIfInterrupted();
  } catch (error) {
    // a plugin loaded before this batch (a development folder, the default distribution) but not
    // from this home's lock has no previous version here to go back to, so it keeps the new one
    const back = plan.flatMap(({ name, replaces }) => (replaces ? [{ name, version: replaces }] : []));
    if (back.length > 0) await link.apply(back).catch(() => undefined);
    const added = plan.filter((p) => !loaded.has(p.name)).map((p) => p.name);
    if (added.length > 0) await link.unloadAll(added).catch(() => undefined);
    throw error;
  }
}
