import { statSync } from "node:fs";
import { BuntimeError, type Logger } from "@buntime/sdk";
import { closest, distance } from "fastest-levenshtein";

/**
 * Refuses a plugin folder (`--plugins`, `BUNTIME_PLUGIN_DIRS`, `pluginDirs`) that does not exist
 * or is not a folder: a typo there would otherwise start a kernel without the plugins meant.
 */
export function checkPluginDirs(dirs: readonly string[]): void {
  for (const dir of dirs) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new BuntimeError("BUNTIME_ERR_CONFIG_PLUGIN_DIR_MISSING", { dir });
    }
  }
}

/** The loaded name a misspelt one most likely meant: close enough to be a slip of the keyboard. */
function nearMiss(name: string, loaded: readonly string[]): string | undefined {
  if (loaded.length === 0) return undefined;
  const best = closest(name, [...loaded]);
  // a quarter of the name's length, at least 2 edits: "ratelimt" → "ratelimit", not "auth" → "logs"
  return distance(name, best) <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/**
 * Warns about each key of the config's `plugins` settings that names no loaded plugin: its
 * settings are ignored, which is what happens with a misspelt name. Suggests the near miss.
 */
export function warnUnusedSettings(
  settings: Readonly<Record<string, unknown>>,
  plugins: readonly { readonly name: string }[],
  logger: Logger,
): void {
  const loaded = plugins.map(({ name }) => name);
  for (const name of Object.keys(settings)) {
    if (loaded.includes(name)) continue;
    const guess = nearMiss(name, loaded);
    const hint = guess ? `; did you mean ${guess}?` : "";
    logger.warn(`settings under "plugins" for ${name}, which is not loaded: they are ignored${hint}`, {
      plugin: name,
      ...(guess ? { suggestion: guess } : {}),
    });
  }
}
