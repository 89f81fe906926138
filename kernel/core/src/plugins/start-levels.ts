/**
 * Start levels: a start's plugins grouped so that each plugin comes after every plugin of the
 * start it depends on (optionally too), and after every plugin before it in the dependency
 * order that provides a service it consumes (what starting one after another let its `setup`
 * see). The plugins of one level use none of each other, so they start together and a slow
 * `setup` (I/O, a migration) no longer holds up every plugin after it; a level starts only
 * once the levels before it have settled.
 */
import type { PluginSource } from "./plugin-source.ts";

/**
 * Groups `ordered` (in dependency order, as `orderByDependencies` answers) into levels: level 0
 * uses nothing of the start, level n something of level n-1. Dependencies outside the start
 * (plugins already running, absent optional ones) and services no earlier plugin of the start
 * provides place nothing. Within a level the items keep their order in `ordered`.
 */
export function dependencyLevels<T extends { source: PluginSource }>(ordered: readonly T[]): T[][] {
  const levelOf = new Map<string, number>();
  /** Per service, the highest level of a plugin so far that provides it. */
  const providedAt = new Map<string, number>();
  const levels: T[][] = [];
  for (const item of ordered) {
    const { dependencies, optionalDependencies, consumes, provides } = item.source.pkg.buntime;
    const uses = [
      ...[...Object.keys(dependencies), ...Object.keys(optionalDependencies ?? {})].map((name) =>
        levelOf.get(name),
      ),
      ...(consumes ?? []).map((service) => providedAt.get(service)),
    ];
    const level = Math.max(-1, ...uses.map((at) => at ?? -1)) + 1;
    levelOf.set(item.source.pkg.name, level);
    for (const service of provides ?? [])
      providedAt.set(service, Math.max(level, providedAt.get(service) ?? 0));
    const at = levels[level] ?? [];
    at.push(item);
    levels[level] = at;
  }
  return levels;
}

/**
 * Starts `prepared` (in dependency order) level by level, the plugins of a level together, and
 * leaves the ones that started at the end of `running` in the order of `prepared`.
 */
export async function startInLevels<T extends { source: PluginSource }>(
  prepared: readonly T[],
  running: Map<string, unknown>,
  startOne: (item: T) => Promise<void>,
): Promise<void> {
  for (const level of dependencyLevels(prepared)) await Promise.all(level.map(startOne));
  keepOrder(
    running,
    prepared.map(({ source }) => source.pkg.name),
  );
}

/**
 * Moves `names`, those present in `running`, to its end in the order given: after a start, the
 * running set (the pipeline's order) is the dependency order, whichever plugin of a level
 * finished its `setup` first.
 */
export function keepOrder<T>(running: Map<string, T>, names: readonly string[]): void {
  for (const name of names) {
    const plugin = running.get(name);
    if (plugin === undefined) continue;
    running.delete(name);
    running.set(name, plugin);
  }
}
