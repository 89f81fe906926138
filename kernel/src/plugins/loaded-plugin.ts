import type { PluginContext, PluginDefinition, ResolvedManifest } from "@buntime/sdk";

/** A plugin the host has started, as the pipeline and the kernel API see it. */
export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
  readonly origin: string;
  readonly manifest: ResolvedManifest;
  readonly definition: PluginDefinition;
  readonly ctx: PluginContext;
}

/** A plugin as `/_/api/plugins` lists it. */
export interface PluginStatus {
  readonly name: string;
  readonly version: string;
  readonly base?: string;
  readonly status: "running" | "failed";
  readonly error?: string;
  readonly provides: readonly string[];
  readonly dependencies: Readonly<Record<string, string>>;
}

/** The status line of a plugin: running, or failed with `error`. */
export function pluginStatus(
  plugin: { name: string; version: string },
  manifest: ResolvedManifest,
  error?: string,
): PluginStatus {
  return {
    name: plugin.name,
    version: plugin.version,
    base: manifest.base,
    status: error === undefined ? "running" : "failed",
    error,
    provides: manifest.provides,
    dependencies: manifest.dependencies,
  };
}
