/**
 * JSON Schemas of Buntime's settings files, generated from their zod schemas: the one way the
 * kernel, the registry, the distribution tools and the published `*.schema.json` files turn a
 * zod schema into JSON Schema, so an editor validates a file exactly as Buntime will.
 */
import { z } from "zod";

/** A JSON Schema, as plain JSON. */
export type JsonSchema = Record<string, unknown>;

/**
 * The `$schema` key every settings file may carry: the JSON Schema an editor validates the
 * file against. Buntime reads nothing from it; strict objects list it so it is not refused as
 * an unknown key.
 */
export const schemaReferenceSchema = z
  .string()
  .optional()
  .describe("The JSON Schema an editor validates this against (Buntime ignores it)");

/** How {@link jsonSchemaOf} shapes a schema. */
export interface JsonSchemaOptions {
  readonly title?: string;
  readonly description?: string;
  /** The JSON Schema draft; 2020-12 unless a consumer needs another (Helm reads draft 7). */
  readonly target?: "draft-2020-12" | "draft-7";
  /** Leave out the `$schema` draft URL (for a schema nested in another document). */
  readonly nested?: boolean;
}

/**
 * The JSON Schema of what a user may write (zod's input side: fields with defaults are
 * optional, `"30s"` beside `30000`). Checks JSON Schema cannot say (refinements) are left to
 * Buntime's own validation; types zod cannot express in JSON Schema admit anything.
 */
export function jsonSchemaOf(schema: z.ZodType, options: JsonSchemaOptions = {}): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    io: "input",
    target: options.target ?? "draft-2020-12",
    unrepresentable: "any",
  }) as JsonSchema;
  const { $schema: draft, ...rest } = generated;
  return {
    ...(options.nested ? {} : { $schema: draft }),
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...rest,
  };
}

/** A schema as the published file holds it: two-space JSON and a final newline. */
export function jsonSchemaText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** One schema Buntime publishes: its id in the kernel's `/_/api/schemas/<id>.json`, and its source. */
export interface PublishedSchema {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly schema: z.ZodType;
}

/** The JSON Schema of a published schema, titled. */
export function publishedJsonSchema(entry: PublishedSchema): JsonSchema {
  return jsonSchemaOf(entry.schema, { title: entry.title, description: entry.description });
}

/**
 * A plugin's settings (`plugins["<name>"]` in `buntime.config.json`, or its manifest's
 * `config`) as a published schema, from the plugin's own zod `config` schema.
 */
export function pluginConfigPublished(name: string, config: z.ZodType): PublishedSchema {
  return {
    id: `plugins/${name}`,
    title: `${name} settings`,
    description: `The settings of the ${name} plugin: plugins["${name}"] in buntime.config.json`,
    schema: config,
  };
}
