import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ResolvedKernelConfig } from "../config/schema.ts";
import { lockfilePath } from "../plugins/lockfile.ts";

/** The first-party plugins shipped beside the kernel: the default distribution's plugin set. */
export const FIRST_PARTY_PLUGINS_DIR = fileURLToPath(new URL("../../../plugins", import.meta.url));

/**
 * A bare home (no lockfile) started without plugin folders runs the default distribution's
 * plugins, so that dropping an app into `<home>/apps/` and starting is enough to serve it.
 */
export function withDefaultDistribution(config: ResolvedKernelConfig): ResolvedKernelConfig {
  if (config.pluginDirs.length > 0 || existsSync(lockfilePath(config.home))) return config;
  return { ...config, pluginDirs: [FIRST_PARTY_PLUGINS_DIR] };
}
