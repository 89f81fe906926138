/**
 * `GET /_/api/schemas/`: the JSON Schemas of the files a user writes (`buntime.config.json`, a
 * plugin's manifest, an app's manifest and settings, and the settings of every loaded plugin
 * that declares them), generated from the zod schemas the kernel validates them with, so an
 * editor pointed at them checks a file exactly as the kernel will.
 */
import {
  BuntimeError,
  describeRoute,
  errorResponses,
  jsonResponse,
  jsonSchemaText,
  type PublishedSchema,
  pluginConfigPublished,
  publishedJsonSchema,
  type RequestContext,
  SDK_SCHEMAS,
} from "@buntime/sdk";
import { Hono } from "hono";
import { z } from "zod";
import { kernelConfigSchema } from "../config/schema.ts";

/** The kernel's own published schemas: its settings file, and the SDK's manifests. */
export const KERNEL_SCHEMAS: readonly PublishedSchema[] = [
  {
    id: "buntime.config",
    title: "buntime.config.json",
    description: "The Buntime kernel's settings (docs/configuration.md)",
    schema: kernelConfigSchema,
  },
  ...SDK_SCHEMAS,
];

const schemaIndexSchema = z.object({
  schemas: z.array(z.object({ id: z.string(), title: z.string(), description: z.string(), url: z.string() })),
});

/** A loaded plugin as the schema listing sees it: its name and its own `config` schema, if any. */
export interface SchemaSource {
  readonly name: string;
  readonly configSchema?: z.ZodType;
}

/** What the schema routes read. */
export interface SchemasDeps {
  /** The running plugins; each one with a `config` schema publishes it. Unset: none. */
  loadedPlugins?(): readonly SchemaSource[];
}

/** Every schema this kernel publishes right now: its own, then each loaded plugin's settings. */
export function publishedSchemas(deps: SchemasDeps): PublishedSchema[] {
  const plugins = (deps.loadedPlugins?.() ?? [])
    .flatMap(({ name, configSchema }) => (configSchema ? [pluginConfigPublished(name, configSchema)] : []))
    .sort((a, b) => a.id.localeCompare(b.id));
  return [...KERNEL_SCHEMAS, ...plugins];
}

/**
 * The routes under `/schemas`: the index (`GET /schemas/`, each schema's id, title and URL) and
 * each schema as `GET /schemas/<id>.json`, for instance `/schemas/buntime.config.json` or
 * `/schemas/plugins/@buntime/plugin-logs.json`.
 */
export function createSchemasApi(deps: SchemasDeps): Hono<{ Bindings: RequestContext }> {
  const api = new Hono<{ Bindings: RequestContext }>();
  api.get("/schemas", (c) => c.redirect(`${c.req.path}/`, 308));
  api.get(
    "/schemas/",
    describeRoute({
      summary: "The JSON Schemas of the settings files, and of each loaded plugin's settings",
      responses: { 200: jsonResponse("each schema's id, title and URL", schemaIndexSchema) },
    }),
    (c) =>
      c.json({
        schemas: publishedSchemas(deps).map(({ id, title, description }) => ({
          id,
          title,
          description,
          url: `${c.req.path}${id}.json`,
        })),
      }),
  );
  api.get(
    "/schemas/:id{.+\\.json}",
    describeRoute({
      summary: "One JSON Schema, e.g. buntime.config.json or plugins/@buntime/plugin-logs.json",
      responses: {
        200: { description: "the schema", content: { "application/schema+json": {} } },
        ...errorResponses({ 404: "no such schema (BUNTIME_ERR_NOT_FOUND)" }),
      },
    }),
    (c) => {
      const id = c.req.param("id").slice(0, -".json".length);
      const entry = publishedSchemas(deps).find((schema) => schema.id === id);
      if (!entry) throw new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path });
      return c.body(jsonSchemaText(publishedJsonSchema(entry)), 200, {
        "content-type": "application/schema+json",
      });
    },
  );
  return api;
}
