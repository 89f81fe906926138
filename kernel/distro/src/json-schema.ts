import { z } from "zod";
import { distroManifestSchema } from "./manifest.ts";

/** Where the published JSON Schema of `buntime.distro.json` lives, inside this package. */
export const MANIFEST_SCHEMA_FILE = "buntime.distro.schema.json";

/**
 * The JSON Schema of `buntime.distro.json`, generated from the zod schema (the input side:
 * what a user may write, defaults optional), for editors. The published file is this text; a
 * test keeps the two equal.
 */
export function manifestJsonSchema(): string {
  const schema = z.toJSONSchema(distroManifestSchema, { io: "input", unrepresentable: "any" });
  const titled = { ...schema, title: "buntime.distro.json", description: "A Buntime distribution manifest" };
  return `${JSON.stringify(titled, null, 2)}\n`;
}
