import { jsonSchemaOf, jsonSchemaText } from "@buntime/sdk";
import { distroManifestSchema } from "./manifest.ts";

/** Where the published JSON Schema of `buntime.distro.json` lives, inside this package. */
export const MANIFEST_SCHEMA_FILE = "buntime.distro.schema.json";

/**
 * The JSON Schema of `buntime.distro.json`, generated from the zod schema (the input side:
 * what a user may write, defaults optional), for editors. The published file is this text; a
 * test keeps the two equal.
 */
export function manifestJsonSchema(): string {
  return jsonSchemaText(
    jsonSchemaOf(distroManifestSchema, {
      title: "buntime.distro.json",
      description: "A Buntime distribution manifest",
    }),
  );
}
