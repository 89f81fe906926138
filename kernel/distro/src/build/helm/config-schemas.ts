/**
 * The JSON Schema of each locked plugin's settings, for a Helm chart's `values.schema.json`:
 * from the plugin's own zod `config` schema where its entry can be imported, else derived from
 * the settings the manifest gives it (and the build says which).
 */
import { type JsonSchema, jsonSchemaOf } from "@buntime/sdk";
import type { z } from "zod";
import type { DistroLock } from "../../lock/schema.ts";
import { type DistroManifest, pluginConfig } from "../../manifest.ts";
import { builtPluginDir } from "../layout.ts";

/** The plugins' settings schemas, and why each one that is not the plugin's own was derived. */
export interface PluginConfigSchemas {
  schemas: Record<string, JsonSchema>;
  /** Plugin name → why its schema was derived from the manifest instead. */
  derived: Record<string, string>;
}

/** A schema that admits `value` and values shaped like it (objects stay open: the plugin may take more). */
export function schemaOfValue(value: unknown): JsonSchema {
  if (value === null) return { type: "null" };
  if (Array.isArray(value)) return { type: "array" };
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return { type: "object", properties: Object.fromEntries(entries.map(([k, v]) => [k, schemaOfValue(v)])) };
  }
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  return { type: typeof value };
}

/** The plugin's own settings schema, read from its entry's default export (`definePlugin({ config })`). */
async function ownSchema(dir: string): Promise<JsonSchema> {
  const entry = Bun.resolveSync(dir, dir);
  const definition = (await import(entry)).default as { config?: z.ZodType } | undefined;
  if (!definition || typeof definition !== "object") throw new Error(`${entry} exports no plugin`);
  if (!definition.config) return { type: "object", description: "this plugin declares no settings" };
  return jsonSchemaOf(definition.config, { target: "draft-7", nested: true });
}

/**
 * Reads every locked plugin's settings schema from the built folder `dir`. Importing an entry
 * runs its module's top level (not `setup`); it happens only after the plugin's tarball was
 * verified, and the kernel would run it anyway. A plugin that cannot be imported here (its
 * libraries are not installed beside the build, say) gets a schema derived from its manifest
 * settings, with the reason in `derived`.
 */
export async function pluginConfigSchemas(
  dir: string,
  lock: DistroLock,
  manifest: DistroManifest,
): Promise<PluginConfigSchemas> {
  const result: PluginConfigSchemas = { schemas: {}, derived: {} };
  for (const name of Object.keys(lock.plugins).sort()) {
    const version = (lock.plugins[name] as DistroLock["plugins"][string]).version;
    try {
      result.schemas[name] = await ownSchema(builtPluginDir(dir, name, version));
    } catch (error) {
      const entry = manifest.plugins[name];
      result.schemas[name] = schemaOfValue((entry && pluginConfig(entry)) ?? {});
      result.derived[name] = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    }
  }
  return result;
}
