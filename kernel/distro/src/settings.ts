/**
 * The kernel settings a built distribution starts with: its manifest's `pool` (checked against
 * the lock with the rest of the build) under what the start itself gives.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type KernelStartArgs,
  loadStartConfig,
  type ResolvedKernelConfig,
  resolveConfig,
} from "@buntime/kernel";
import type { DistroManifest } from "./manifest.ts";
import { readJsonFile } from "./read-json.ts";

/** The `BUNTIME_*` variable that sets each pool setting (the kernel's names; see docs/configuration.md). */
const POOL_ENV: Record<keyof NonNullable<DistroManifest["pool"]>, string> = {
  isolation: "BUNTIME_ISOLATION",
  shutdownTimeout: "BUNTIME_SHUTDOWN_TIMEOUT",
};

/** The top-level settings the settings file of this start names (the kernel has already validated it). */
function settingsFileKeys(args: KernelStartArgs, cwd: string): Set<string> {
  const path = resolve(cwd, args.config ?? "buntime.config.json");
  if (args.config === undefined && !existsSync(path)) return new Set();
  return new Set(Object.keys(readJsonFile(path, "settings file") as Record<string, unknown>));
}

/**
 * The kernel's settings for a start of a built distribution: the settings file, `BUNTIME_*`
 * variables and flags as for any start (`loadStartConfig`, which validates them), except that
 * each pool setting neither the settings file nor its variable gives is the manifest's. A
 * setting given at start wins whole, as the kernel's own layers do (`isolation` from the file
 * replaces the manifest's `isolation`).
 */
export function distroStartConfig(pool: DistroManifest["pool"], args: KernelStartArgs): ResolvedKernelConfig {
  const config = loadStartConfig(args);
  if (!pool) return config;
  const given = settingsFileKeys(args, process.cwd());
  const fromPool = resolveConfig(pool, "the distribution's pool");
  const applied = Object.fromEntries(
    Object.entries(POOL_ENV)
      .filter(([key, variable]) => key in pool && !given.has(key) && !process.env[variable])
      .map(([key]) => [key, fromPool[key as keyof typeof POOL_ENV]]),
  );
  return { ...config, ...applied };
}
