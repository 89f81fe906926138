import { join } from "node:path";
import { loadConfig } from "@buntime/kernel";
import { createRegistryClient, type RegistryClient } from "@buntime/supply";
import { diskPackumentCache } from "./packument-cache.ts";
import { type CliSettings, readSettings, settingsDir } from "./settings.ts";

/** The default registry: a local one, as `buntime registry start` runs it. */
export const DEFAULT_REGISTRY = "http://127.0.0.1:4873/";

/** What a command acting on a home and a registry works with. */
export interface CliContext {
  home: string;
  registry: string;
  settings: CliSettings;
  settingsDir: string;
  client: RegistryClient;
}

function normalize(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The registry of a command: `--registry`, else `BUNTIME_REGISTRY`, else the settings', else the local default. */
export function registryOf(flag: string | undefined, settings: CliSettings): string {
  return normalize(flag ?? process.env.BUNTIME_REGISTRY ?? settings.registry ?? DEFAULT_REGISTRY);
}

/** Resolves the home, the registry, the CLI settings and a registry client from the common flags. */
export function cliContext(flags: { home?: string; config?: string; registry?: string }): CliContext {
  const dir = settingsDir();
  const settings = readSettings(dir);
  const registry = registryOf(flags.registry, settings);
  const home = loadConfig({ configPath: flags.config, overrides: { home: flags.home } }).home;
  const token = process.env.BUNTIME_REGISTRY_TOKEN ?? settings.tokens[registry];
  return {
    home,
    registry,
    settings,
    settingsDir: dir,
    client: createRegistryClient({ registry, token, cache: diskPackumentCache(join(dir, "packuments")) }),
  };
}

/** Path of a file in the CLI settings folder. */
export function settingsFile(context: CliContext, name: string): string {
  return join(context.settingsDir, name);
}
