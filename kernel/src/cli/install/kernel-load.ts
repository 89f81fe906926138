import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { throwIfInterrupted } from "../common/interrupt.ts";
import type { KernelLink } from "./kernel-link.ts";
import type { PlannedPlugin } from "./plan.ts";

/** Removes the empty `<home>/data/<name>` folders a refused load left behind (the kernel makes them before `setup`). */
export function removeNewDataDirs(
  home: string,
  plan: PlannedPlugin[],
  before: { names: Set<string>; data: boolean },
): void {
  for (const { name } of plan) {
    const dir = join(home, "data", name);
    if (before.names.has(name) || !existsSync(dir) || readdirSync(dir).length > 0) continue;
    rmSync(dir, { recursive: true, force: true });
    const scope = join(dir, "..");
    if (name.startsWith("@") && readdirSync(scope).length === 0) rmSync(scope, { recursive: true });
  }
  const data = join(home, "data");
  if (!before.data && existsSync(data) && readdirSync(data).length === 0) rmSync(data);
}

/**
 * Loads planned plugins into a running kernel in order; on failure, or when an interrupt is
 * held back (see `holdInterrupts`), undoes what it loaded and throws.
 */
export async function loadIntoKernel(
  link: KernelLink,
  plan: Pick<PlannedPlugin, "name" | "version" | "replaces">[],
): Promise<void> {
  const loaded = new Set((await link.loaded()).map((p) => p.name));
  const undo: (() => Promise<void>)[] = [];
  try {
    for (const plugin of plan) {
      throwIfInterrupted();
      // loaded but not from this home's lock (a development folder, the default distribution): swap it too
      const replace = loaded.has(plugin.name);
      await link.load(plugin.name, plugin.version, replace);
      const previous = plugin.replaces;
      if (previous && replace) undo.push(() => link.load(plugin.name, previous, true));
      else if (!replace) undo.push(() => link.unload(plugin.name));
    }
    throwIfInterrupted();
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}
