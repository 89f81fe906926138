import type {
  DependencyNode,
  PluginContext,
  PluginHooks,
  PluginStatus,
  ResolvedManifest,
} from "@buntime/sdk";
import type { z } from "zod";
import type { PluginSource } from "./plugin-source.ts";

export type { PluginStatus };

/** A plugin the host has started, as the pipeline and the kernel API see it. */
export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
  readonly origin: string;
  readonly manifest: ResolvedManifest;
  /** The plugin's own zod schema of its settings (`definePlugin({ config })`), if it declares one. */
  readonly configSchema?: z.ZodType;
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

/** A plugin package as the dependency sorter sees it, carrying its source along. */
export function dependencyNode(source: PluginSource): DependencyNode & { source: PluginSource } {
  const { name, version, buntime } = source.pkg;
  return {
    name,
    version,
    dependencies: buntime.dependencies,
    optionalDependencies: buntime.optionalDependencies,
    source,
  };
}

/** A running plugin as the dependency sorter sees it. */
export function loadedNode(plugin: LoadedPlugin): DependencyNode {
  return { name: plugin.name, version: plugin.version, ...plugin.manifest };
}

/** Why something failed, in one line: the error's message and its cause's. */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
