import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  BuntimeError,
  formatZodIssues,
  type Logger,
  type PluginContext,
  type WorkerPool,
} from "@buntime/sdk";
import type { PluginServices, ServiceRegistry } from "../services/registry.ts";
import { KERNEL_VERSION } from "../version.ts";
import type { PluginSource } from "./plugin-source.ts";

export interface ContextDeps {
  readonly services: ServiceRegistry;
  readonly pool: WorkerPool;
  readonly logger: Logger;
  readonly home: string;
  /** Settings per plugin name from the kernel config. */
  readonly pluginSettings: Readonly<Record<string, unknown>>;
}

/** Validates a plugin's settings against its own schema; the error names plugin and field. */
export function resolvePluginConfig(source: PluginSource, settings: unknown): unknown {
  const schema = source.definition.config;
  if (!schema) return settings ?? {};
  const result = schema.safeParse(settings ?? {});
  if (result.success) return result.data;
  throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
    source: `config of plugin ${source.pkg.name}`,
    details: formatZodIssues(result.error, `plugins["${source.pkg.name}"]`),
  });
}

/** `<home>/data/<name>`: the plugin's own folder for data that survives restarts. */
export function dataDirOf(home: string, name: string): string {
  return join(home, "data", name);
}

/** Builds the `ctx` a plugin's `setup` receives, with the plugin's service scope. */
export function createPluginContext(
  source: PluginSource,
  config: unknown,
  deps: ContextDeps,
): { ctx: PluginContext; services: PluginServices } {
  const { pkg } = source;
  const dataDir = dataDirOf(deps.home, pkg.name);
  mkdirSync(dataDir, { recursive: true });
  const services = deps.services.scopeFor({
    plugin: pkg.name,
    provides: pkg.buntime.provides,
    consumes: pkg.buntime.consumes,
  });
  const ctx = Object.freeze({
    name: pkg.name,
    version: pkg.version,
    base: pkg.buntime.base,
    config,
    services: services.access,
    pool: deps.pool,
    logger: deps.logger.child(`plugin:${pkg.name}`),
    dataDir,
    kernel: { version: KERNEL_VERSION, appsDir: join(deps.home, "apps") },
  });
  return { ctx, services };
}
