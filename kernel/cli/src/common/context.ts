import { homedir } from "node:os";
import { join } from "node:path";
import { createRegistryClient, npmrcToken, type RegistryClient } from "@buntime/supply";
import { type ResolvedHome, resolveHome } from "./home.ts";
import { diskPackumentCache } from "./packument-cache.ts";
import { type CliSettings, readSettings, settingsDir } from "./settings.ts";

/** The default registry: a local one, as `buntime registry start` runs it. */
export const DEFAULT_REGISTRY = "http://127.0.0.1:4873/";

/** What a command acting on a home and a registry works with. */
export interface CliContext {
  /** The home (resolved on first use: commands that only talk to a registry never look for one). */
  readonly home: string;
  /** The home with how it was found: flag, variable, a folder around the current one, or the default. */
  readonly resolvedHome: ResolvedHome;
  registry: string;
  settings: CliSettings;
  settingsDir: string;
  /** Where the registry token came from: `BUNTIME_REGISTRY_TOKEN`, the CLI settings, an `.npmrc`, or none. */
  tokenSource: string | undefined;
  client: RegistryClient;
}

function normalize(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The registry of a command: `--registry`, else `BUNTIME_REGISTRY`, else the settings', else the local default. */
export function registryOf(flag: string | undefined, settings: CliSettings): string {
  return normalize(flag ?? process.env.BUNTIME_REGISTRY ?? settings.registry ?? DEFAULT_REGISTRY);
}

/** The CLI's cache folder: `$XDG_CACHE_HOME/buntime`, by default `~/.cache/buntime`. */
export function cacheDir(env = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME ?? homedir(), ".cache"), "buntime");
}

/** A whole number from an environment variable, or `fallback` when unset or not one. */
function envNumber(name: string, fallback: number | undefined): number | undefined {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/**
 * The token for `registry`: `BUNTIME_REGISTRY_TOKEN`, else the one `buntime login` saved, else
 * an `_authToken` line of the project's, then the user's `.npmrc` (as npm and bun read them).
 */
function tokenOf(registry: string, settings: CliSettings): { token?: string; source?: string } {
  if (process.env.BUNTIME_REGISTRY_TOKEN)
    return { token: process.env.BUNTIME_REGISTRY_TOKEN, source: "BUNTIME_REGISTRY_TOKEN" };
  if (settings.tokens[registry]) return { token: settings.tokens[registry], source: "buntime login" };
  const fromNpmrc = npmrcToken(registry);
  return fromNpmrc ? { token: fromNpmrc.token, source: fromNpmrc.source } : {};
}

/**
 * Resolves the registry, the CLI settings, a registry client and (lazily) the home from the
 * common flags. Registry calls time out after `BUNTIME_REGISTRY_TIMEOUT_MS` (default 30000) and
 * reads are tried `BUNTIME_REGISTRY_RETRIES` more times (default 2).
 */
export function cliContext(flags: { home?: string; config?: string; registry?: string }): CliContext {
  const dir = settingsDir();
  const settings = readSettings(dir);
  const registry = registryOf(flags.registry, settings);
  const { token, source } = tokenOf(registry, settings);
  let resolved: ResolvedHome | undefined;
  const homeOf = () => {
    resolved ??= resolveHome(flags);
    return resolved;
  };
  return {
    get home() {
      return homeOf().home;
    },
    get resolvedHome() {
      return homeOf();
    },
    registry,
    settings,
    settingsDir: dir,
    tokenSource: source,
    client: createRegistryClient({
      registry,
      token,
      cache: diskPackumentCache(join(cacheDir(), "packuments")),
      timeoutMs: envNumber("BUNTIME_REGISTRY_TIMEOUT_MS", undefined),
      retries: envNumber("BUNTIME_REGISTRY_RETRIES", undefined),
    }),
  };
}

/** Path of a file in the CLI settings folder. */
export function settingsFile(context: CliContext, name: string): string {
  return join(context.settingsDir, name);
}
