/**
 * What "update all compatible" takes: every installed plugin with a newer version this kernel
 * supports, except pinned ones. Each plugin left out is named with the reason (pinned, no
 * newer version, or a newer version that needs another kernel).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HomeState } from "./home-state.ts";
import type { UpdateSet } from "./plans.ts";
import type { MarketplaceRegistry } from "./registry.ts";

/** Plugins held at their installed version, kept in `<data>/pins.json`. */
export function pinStore(dir: string) {
  const path = join(dir, "pins.json");
  const read = (): string[] => {
    if (!existsSync(path)) return [];
    try {
      const parsed = JSON.parse(readFileSync(path, "utf8"));
      return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === "string") : [];
    } catch {
      return [];
    }
  };
  return {
    list: read,
    has: (name: string) => read().includes(name),
    set(name: string, pinned: boolean): void {
      const next = new Set(read());
      if (pinned) next.add(name);
      else next.delete(name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, `${JSON.stringify([...next].sort(), null, 2)}\n`);
    },
  };
}

/** The pin store's type. */
export type PinStore = ReturnType<typeof pinStore>;

/** The newest version of each plugin: for this kernel, and at all (with the kernel it needs). */
export async function newestVersions(registry: MarketplaceRegistry, kernel: string) {
  const [fits, any] = await Promise.all([
    registry.search({ kernel, sort: "name" }),
    registry.search({ sort: "name" }),
  ]);
  return {
    compatible: new Map(fits.plugins.map((p) => [p.name, p.version])),
    newest: new Map(any.plugins.map((p) => [p.name, { version: p.version, kernel: p.kernel }])),
  };
}

/** The "update all" set of a home. */
export async function updateSet(
  registry: MarketplaceRegistry,
  kernel: string,
  home: HomeState,
  pins: PinStore,
): Promise<UpdateSet> {
  const { compatible, newest } = await newestVersions(registry, kernel);
  const set: UpdateSet = { specs: [], skipped: [] };
  for (const [name, installed] of [...home.installed].sort(([a], [b]) => a.localeCompare(b))) {
    const fits = compatible.get(name);
    const latest = newest.get(name);
    if (pins.has(name)) set.skipped.push({ name, reason: `pinned at ${installed}` });
    else if (fits && Bun.semver.order(fits, installed) > 0) set.specs.push(`${name}@${fits}`);
    else if (latest && Bun.semver.order(latest.version, installed) > 0)
      set.skipped.push({
        name,
        reason: `${latest.version} needs kernel ${latest.kernel ?? "?"}; this one is ${kernel}`,
      });
    else set.skipped.push({ name, reason: `${installed} is the newest` });
  }
  return set;
}
