import { BuntimeError, HOOK_NAMES, PLUGIN_DEFINITION_KEYS, type PluginDefinition } from "@buntime/sdk";

const FUNCTION_KEYS = new Set<string>([...HOOK_NAMES, "fetch"]);

/**
 * Checks what a plugin's entry default-exported: an object whose keys all belong to the
 * closed set of hooks and fields, each of the right kind. An unknown key is an error, not a
 * silent no-op, so a misspelt `onRequset` is caught at load.
 */
export function validateDefinition(value: unknown, plugin: string): PluginDefinition {
  if (typeof value !== "object" || value === null) {
    throw new BuntimeError("BUNTIME_ERR_PLUGIN_ENTRY_INVALID", {
      plugin,
      details: "the entry module must default-export definePlugin({...})",
    });
  }
  for (const [key, field] of Object.entries(value)) {
    if (!PLUGIN_DEFINITION_KEYS.includes(key)) {
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_UNKNOWN_HOOK", {
        plugin,
        hook: key,
        known: PLUGIN_DEFINITION_KEYS.join(", "),
      });
    }
    const wrongKind =
      (FUNCTION_KEYS.has(key) && typeof field !== "function") ||
      (key === "routes" && typeof (field as { fetch?: unknown })?.fetch !== "function") ||
      (key === "config" && typeof (field as { safeParse?: unknown })?.safeParse !== "function");
    if (wrongKind) {
      const expected = key === "routes" ? "a Hono app" : key === "config" ? "a zod schema" : "a function";
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_ENTRY_INVALID", {
        plugin,
        details: `${key} must be ${expected}`,
      });
    }
  }
  return value as PluginDefinition;
}
