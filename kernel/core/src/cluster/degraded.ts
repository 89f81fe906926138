import { BuntimeError, parsePluginPackage } from "@buntime/sdk";
import type { PluginSource } from "../plugins/plugin-source.ts";

/** Where stand-ins say they come from, so a reconcile knows its own. */
export const STAND_IN_ORIGIN = "cluster:degraded";

/** A plugin this node could not load at the desired version, and when to try again. */
export interface DegradedPlugin {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  readonly reason: string;
  /** Failed attempts in a row at this version. */
  readonly attempts: number;
  /** No retry before this time (ms since the epoch), unless a new generation comes. */
  readonly retryAt: number;
  /** The generation it failed at. */
  readonly generation: number;
  /** True when a stand-in answers 503 at its base. */
  readonly standIn: boolean;
}

/**
 * The next failure record: retries back off from one reconcile interval, doubling per failure in
 * a row, up to ten intervals, so a plugin that cannot load costs a few attempts, not a storm.
 */
export function nextFailure(
  previous: DegradedPlugin | undefined,
  failure: { name: string; version: string; integrity: string; reason: string; generation: number },
  interval: number,
  now = Date.now(),
): Omit<DegradedPlugin, "standIn"> {
  const same = previous?.version === failure.version && previous.integrity === failure.integrity;
  const attempts = same ? previous.attempts + 1 : 1;
  return { ...failure, attempts, retryAt: now + Math.min(interval * 2 ** (attempts - 1), interval * 10) };
}

/**
 * A plugin that takes the place of one that failed to load on this node: at the same base it
 * answers every request 503 `BUNTIME_ERR_CLUSTER_PLUGIN_DEGRADED` with the reason, so clients
 * and the balancer see why instead of a 404 or another node's behaviour half-applied.
 */
export function standInSource(
  plugin: { name: string; version: string; base: string },
  node: string,
  reason: string,
): PluginSource {
  const pkg = parsePluginPackage(
    { name: plugin.name, version: plugin.version, buntime: { kernel: "*", base: plugin.base } },
    `stand-in for ${plugin.name}`,
  );
  const error = new BuntimeError("BUNTIME_ERR_CLUSTER_PLUGIN_DEGRADED", {
    plugin: `${plugin.name}@${plugin.version}`,
    node,
    reason,
  });
  return {
    pkg,
    origin: STAND_IN_ORIGIN,
    definition: { setup: () => ({ fetch: () => error.getResponse({ "retry-after": "10" }) }) },
  };
}
