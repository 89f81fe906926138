import {
  BuntimeError,
  HOOK_NAMES,
  PLUGIN_DEFINITION_KEYS,
  type PluginDefinition,
  type PluginHooks,
} from "@buntime/sdk";

const DEFINITION_KEYS: readonly string[] = PLUGIN_DEFINITION_KEYS;
const HOOK_KEYS: readonly string[] = HOOK_NAMES;

function unknownKey(plugin: string, key: string, where: string, known: readonly string[]): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_PLUGIN_UNKNOWN_HOOK", {
    plugin,
    hook: key,
    where,
    known: known.join(", "),
  });
}

function invalid(plugin: string, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_PLUGIN_ENTRY_INVALID", { plugin, details });
}

/**
 * Checks what a plugin's entry default-exported: `definePlugin({ config?, setup })`. An unknown
 * key is an error, not a silent no-op, so a misspelt `setpu` is caught at load.
 */
export function validateDefinition(value: unknown, plugin: string): PluginDefinition {
  if (typeof value !== "object" || value === null) {
    throw invalid(plugin, "the entry module must default-export definePlugin({ setup })");
  }
  for (const key of Object.keys(value)) {
    if (!DEFINITION_KEYS.includes(key)) throw unknownKey(plugin, key, "definePlugin", DEFINITION_KEYS);
  }
  const { setup, config } = value as Partial<Record<string, unknown>>;
  if (typeof setup !== "function") throw invalid(plugin, "setup must be a function that returns the hooks");
  if (config !== undefined && typeof (config as { safeParse?: unknown }).safeParse !== "function") {
    throw invalid(plugin, "config must be a zod schema");
  }
  return value as PluginDefinition;
}

/**
 * Checks what `setup` returned: nothing, or an object whose keys all belong to the closed set
 * of hooks, each of the right kind (`routes` a Hono app, every other hook a function).
 */
export function validateHooks(value: unknown, plugin: string): PluginHooks {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null) {
    throw invalid(plugin, "setup must return an object of hooks, or nothing");
  }
  for (const [key, hook] of Object.entries(value)) {
    if (!HOOK_KEYS.includes(key)) throw unknownKey(plugin, key, "the hooks setup returned", HOOK_KEYS);
    if (hook === undefined) continue;
    if (key === "routes") {
      if (typeof (hook as { fetch?: unknown })?.fetch !== "function")
        throw invalid(plugin, "routes must be a Hono app");
    } else if (typeof hook !== "function") {
      throw invalid(plugin, `${key} must be a function`);
    }
  }
  return value as PluginHooks;
}
