import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import { z } from "zod";
import { clusterSchema } from "./cluster.ts";
import { locateJsonError } from "./json-error.ts";
import { type KernelConfigOptions, kernelConfigSchema, type ResolvedKernelConfig } from "./schema.ts";
import { parseTrustProxyEnv } from "./trust-proxy.ts";

/** `BUNTIME_*` variables and the settings they fill. */
const ENV_SETTINGS: Record<string, { key: keyof KernelConfigOptions; parse: (raw: string) => unknown }> = {
  BUNTIME_PORT: { key: "port", parse: Number },
  BUNTIME_HOSTNAME: { key: "hostname", parse: String },
  BUNTIME_HOME: { key: "home", parse: String },
  BUNTIME_PLUGIN_DIRS: { key: "pluginDirs", parse: (raw) => raw.split(":").filter(Boolean) },
  BUNTIME_HOOK_TIMEOUT: { key: "hookTimeout", parse: Number },
  BUNTIME_LIFECYCLE_TIMEOUT: { key: "lifecycleTimeout", parse: Number },
  BUNTIME_IDLE_TIMEOUT: { key: "idleTimeout", parse: Number },
  BUNTIME_SHUTDOWN_TIMEOUT: { key: "shutdownTimeout", parse: Number },
  BUNTIME_ADMIN_TOKEN: { key: "adminToken", parse: String },
  BUNTIME_TRUST_REQUEST_ID: { key: "trustRequestId", parse: (raw) => raw === "true" || raw === "1" },
  BUNTIME_TRUSTED_ORIGINS: { key: "trustedOrigins", parse: (raw) => raw.split(",").filter(Boolean) },
  BUNTIME_TRUST_PROXY: { key: "trustProxy", parse: parseTrustProxyEnv },
  BUNTIME_MAX_WORKERS: { key: "maxWorkers", parse: Number },
  BUNTIME_ISOLATION: { key: "isolation", parse: (raw) => ({ default: raw }) },
  BUNTIME_LOG_LEVEL: { key: "logLevel", parse: String },
  BUNTIME_LOG_FORMAT: { key: "logFormat", parse: String },
};

const clusterLayerSchema = z.object({ cluster: clusterSchema.partial().optional() });

/** `BUNTIME_*` variables of the `cluster` section (docs/scale-out.md), merged into the file's section. */
const CLUSTER_ENV: Record<string, { key: string; parse: (raw: string) => unknown }> = {
  BUNTIME_NODE: { key: "node", parse: String },
  BUNTIME_CLUSTER_POSTGRES: { key: "postgres", parse: String },
  BUNTIME_CLUSTER_REDIS: { key: "redis", parse: String },
  BUNTIME_NODE_ADDRESS: { key: "address", parse: String },
  BUNTIME_CLUSTER_RECONCILE_INTERVAL: { key: "reconcileInterval", parse: Number },
};

/** Validates one layer of settings so that an error names where the bad value came from. */
function checkLayer(layer: Record<string, unknown>, source: string): void {
  const { cluster, ...rest } = layer;
  const result = kernelConfigSchema.partial().safeParse(rest);
  if (!result.success) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", { source, details: formatZodIssues(result.error) });
  }
  // one layer may name only some of the section's keys (the URL in env, the node name in the file)
  const section = clusterLayerSchema.safeParse({ cluster });
  if (!section.success) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", { source, details: formatZodIssues(section.error) });
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  let parsed: unknown;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_CONFIG_INVALID",
      { source: path, details: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
  }
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const place = locateJsonError(text);
    throw new BuntimeError(
      "BUNTIME_ERR_CONFIG_INVALID",
      {
        source: path,
        details: place
          ? `not JSON at line ${place.line}, column ${place.column}: ${place.problem}`
          : `not JSON: ${(error as Error).message}`,
      },
      { cause: error },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", { source: path, details: "expected a JSON object" });
  }
  return parsed as Record<string, unknown>;
}

function readEnv(env: Record<string, string | undefined>): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const [variable, { key, parse }] of Object.entries(ENV_SETTINGS)) {
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    const value = parse(raw);
    checkLayer({ [key]: value }, `env ${variable}`);
    layer[key] = value;
  }
  const cluster: Record<string, unknown> = {};
  for (const [variable, { key, parse }] of Object.entries(CLUSTER_ENV)) {
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    const value = parse(raw);
    checkLayer({ cluster: { [key]: value } }, `env ${variable}`);
    cluster[key] = value;
  }
  if (Object.keys(cluster).length > 0) layer.cluster = cluster;
  return layer;
}

/** The file's `cluster` section with the env's variables over it (each layer names only some keys). */
function mergeCluster(fromFile: Record<string, unknown>, fromEnv: Record<string, unknown>): unknown {
  const file = fromFile.cluster;
  if (fromEnv.cluster === undefined) return file;
  return typeof file === "object" && file !== null
    ? { ...file, ...(fromEnv.cluster as object) }
    : fromEnv.cluster;
}

export interface LoadConfigOptions {
  /** Path of the config file; when unset, `buntime.config.json` in `cwd` is used if present. */
  configPath?: string;
  /** Settings that win over file and env (CLI flags). */
  overrides?: KernelConfigOptions;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * Resolves the kernel's settings: defaults < config file < `BUNTIME_*` env < overrides.
 * Each layer is validated on its own, so an error names the file or the variable at fault.
 * Relative `home` and `pluginDirs` are resolved against `cwd`.
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedKernelConfig {
  const cwd = options.cwd ?? process.cwd();
  const defaultPath = resolve(cwd, "buntime.config.json");
  const filePath = options.configPath ? resolve(cwd, options.configPath) : defaultPath;
  const fromFile = options.configPath || existsSync(defaultPath) ? readConfigFile(filePath) : {};
  checkLayer(fromFile, filePath);
  const fromEnv = readEnv(options.env ?? process.env);
  const cluster = mergeCluster(fromFile, fromEnv);
  const overrides = Object.fromEntries(
    Object.entries(options.overrides ?? {}).filter(([, value]) => value !== undefined),
  );
  checkLayer(overrides, "command line");
  const merged = { ...fromFile, ...fromEnv, ...(cluster === undefined ? {} : { cluster }), ...overrides };
  return resolveConfig(merged as KernelConfigOptions, "configuration", cwd);
}

/**
 * Validates settings given in code and applies defaults; relative `home` and `pluginDirs`
 * are resolved against `cwd`.
 */
export function resolveConfig(
  options: KernelConfigOptions,
  source = "configuration",
  cwd = process.cwd(),
): ResolvedKernelConfig {
  checkLayer(options as Record<string, unknown>, source);
  const parsed = kernelConfigSchema.safeParse(options);
  if (!parsed.success) {
    // only a whole section can miss a key its layers left out (cluster.postgres)
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", { source, details: formatZodIssues(parsed.error) });
  }
  const config = parsed.data;
  return {
    ...config,
    home: resolve(cwd, config.home),
    pluginDirs: config.pluginDirs.map((dir) => resolve(cwd, dir)),
  };
}
