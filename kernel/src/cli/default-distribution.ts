import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ResolvedKernelConfig } from "../config/schema.ts";

/** The first-party plugins shipped beside the kernel: the default distribution's plugin set. */
export const FIRST_PARTY_PLUGINS_DIR = fileURLToPath(new URL("../../../plugins", import.meta.url));

/**
 * Started without plugin folders, the kernel runs the default distribution: the first-party
 * plugins, besides (and yielding to the versions of) those installed in the home. So dropping an
 * app into `<home>/apps/` and starting is enough to serve it, and installing a plugin adds to the
 * default set rather than replacing it.
 */
export function withDefaultDistribution(config: ResolvedKernelConfig): ResolvedKernelConfig {
  if (config.pluginDirs.length > 0 || !existsSync(FIRST_PARTY_PLUGINS_DIR)) return config;
  return { ...config, pluginDirs: [FIRST_PARTY_PLUGINS_DIR] };
}
