import type { PluginContext, PluginHooks, PluginStatus, ResolvedManifest } from "@buntime/sdk";

export type { PluginStatus };

/** A plugin the host has started, as the pipeline and the kernel API see it. */
export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
  readonly origin: string;
  readonly manifest: ResolvedManifest;
  /** What the plugin's `setup` returned. */
  readonly hooks: PluginHooks;
  readonly ctx: PluginContext;
  /** Withdraws the plugin's services and disposes its service scope. */
  release(): Promise<void>;
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
    ...(manifest.mode === "isolated" ? { mode: "isolated" as const } : {}),
    error,
    provides: manifest.provides,
    dependencies: manifest.dependencies,
    ui: manifest.ui,
  };
}
