import type { PluginDefinition, PluginPackage } from "@buntime/sdk";

/** A plugin ready to be ordered and started: its validated package and its definition. */
export interface PluginSource {
  readonly pkg: PluginPackage;
  readonly definition: PluginDefinition;
  /** Where it was loaded from (a folder path, or `inline` for plugins passed in code). */
  readonly origin: string;
}

/** `name@version` of a plugin package. */
export function pluginId(pkg: { name: string; version: string }): string {
  return `${pkg.name}@${pkg.version}`;
}
