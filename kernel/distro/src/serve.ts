import { resolve } from "node:path";
import {
  type ClusterSupply,
  type Companion,
  createKernel,
  type KernelStartArgs,
  serveUntilSignal,
} from "@buntime/kernel";
import { writeAppEnv } from "./app-env.ts";
import { builtHome } from "./build/layout.ts";
import { linkBuiltApps } from "./link-apps.ts";
import { provenancePlugin } from "./provenance.ts";
import { distroStartConfig } from "./settings.ts";
import { verifyBuild } from "./verify/verify-build.ts";

/** Options for {@link serveBuiltDistribution}. */
export interface ServeBuiltOptions {
  /** The home when the arguments name none. @default `<dir>/home` */
  home?: string;
  /** What runs beside the kernel and stops with it (a registry). */
  companions?: readonly Companion[];
  /**
   * Where a cluster node gets the desired state's plugin tarballs; called only when the start's
   * settings join a cluster (BUNTIME_CLUSTER_POSTGRES), so a single node needs no registry.
   */
  clusterSupply?: () => ClusterSupply;
}

/** Each plugin's settings: the distribution's, with the settings file's entries on top. */
function mergeSettings(
  distro: Record<string, unknown>,
  own: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...distro };
  for (const [name, settings] of Object.entries(own)) {
    const base = merged[name];
    const objects = base && typeof base === "object" && settings && typeof settings === "object";
    merged[name] = objects ? { ...base, ...settings } : settings;
  }
  return merged;
}

/**
 * Verifies the built distribution in `dir` (`verifyBuild`: no network, nothing loaded before
 * every file checks out), then runs a kernel on its locked plugins, as plugin folders beside
 * those installed in the home, with the manifest's plugin settings under the settings file's and
 * its pool settings (`isolation`, `shutdownTimeout`) where the start gives none. Registry apps
 * get their declared env from this start's environment; the build's apps are linked into the
 * home's apps when the home is not the build's own.
 * With cluster settings it runs as a cluster node (docs/scale-out.md) on `options.clusterSupply`.
 * Its provenance is served at `/.well-known/buntime`. Serves until SIGTERM or SIGINT; resolves
 * with the exit code.
 */
export async function serveBuiltDistribution(
  dir: string,
  args: KernelStartArgs,
  options: ServeBuiltOptions = {},
): Promise<number> {
  const root = resolve(dir);
  const build = verifyBuild(root);
  process.stderr.write(
    `verified ${build.pluginFolders.length} plugins${build.apps.length ? ` and ${build.apps.length} apps` : ""} of ${build.lock.name}@${build.lock.version} (${build.provenance.builder})\n`,
  );
  writeAppEnv(root, build.lock, process.env);
  const config = distroStartConfig(build.manifest.pool, {
    ...args,
    home: args.home ?? options.home ?? builtHome(root),
  });
  const appNames = Object.keys(build.manifest.apps);
  if (appNames.length > 0 && resolve(config.home) !== builtHome(root)) {
    // the router serves the home's apps: link the build's verified ones there
    const shadowed = linkBuiltApps(root, resolve(config.home), appNames);
    if (shadowed.length > 0) {
      process.stderr.write(
        `note: ${config.home}/apps has its own ${shadowed.join(", ")}, served instead of the build's\n`,
      );
    }
  }
  const kernel = createKernel({
    config: {
      ...config,
      plugins: mergeSettings(build.pluginSettings, config.plugins),
      pluginDirs: [...config.pluginDirs, ...build.pluginFolders],
    },
    plugins: [provenancePlugin(build.provenance)],
    clusterSupply: config.cluster ? options.clusterSupply?.() : undefined,
  });
  return serveUntilSignal(kernel, options.companions);
}
