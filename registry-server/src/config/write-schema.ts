/**
 * Writes registry-settings.schema.json from the zod schema: `bun registry-server/src/config/write-schema.ts`.
 * A test checks that the committed file equals what this writes.
 */
import { join } from "node:path";
import { jsonSchemaText } from "@buntime/sdk";
import { registrySettingsJsonSchema } from "./schema.ts";

/** Where the generated JSON Schema lives (referenced from config files as `$schema`). */
export const SETTINGS_SCHEMA_FILE = join(import.meta.dir, "..", "..", "registry-settings.schema.json");

if (import.meta.main) {
  await Bun.write(SETTINGS_SCHEMA_FILE, jsonSchemaText(registrySettingsJsonSchema()));
  console.log(`wrote ${SETTINGS_SCHEMA_FILE}`);
}
