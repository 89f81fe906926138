import { describe, expect, it } from "bun:test";
import {
  durationSchema,
  jsonSchemaOf,
  jsonSchemaText,
  pluginConfigPublished,
  publishedJsonSchema,
  schemaReferenceSchema,
} from "@buntime/sdk";
import { z } from "zod";

const settings = z
  .object({
    $schema: schemaReferenceSchema,
    ttl: durationSchema.optional(),
    size: z.number().int().default(3),
  })
  .strict();

describe("jsonSchemaOf", () => {
  it("describes what a user may write: defaults optional, a duration as a number or a string, unknown keys refused", () => {
    const schema = jsonSchemaOf(settings);
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      additionalProperties: false,
      properties: {
        $schema: { type: "string" },
        size: { type: "integer", default: 3 },
        ttl: { anyOf: [{ type: "integer" }, { type: "string" }] },
      },
    });
    expect(schema.required).toBeUndefined();
  });

  it("titles a schema, writes draft 7 for Helm, and leaves the draft out of a nested one", () => {
    expect(jsonSchemaOf(settings, { title: "t", description: "d" })).toMatchObject({
      title: "t",
      description: "d",
    });
    expect(jsonSchemaOf(settings, { target: "draft-7" }).$schema).toBe(
      "http://json-schema.org/draft-07/schema#",
    );
    expect(jsonSchemaOf(settings, { nested: true })).not.toHaveProperty("$schema");
  });

  it("admits anything where zod has no JSON Schema, instead of failing", () => {
    expect(jsonSchemaOf(z.object({ when: z.date().optional() }))).toMatchObject({ properties: { when: {} } });
  });
});

describe("published schemas", () => {
  it("name a plugin's settings by its package name, as the kernel serves them", () => {
    const entry = pluginConfigPublished("@acme/plugin-x", settings);
    expect(entry.id).toBe("plugins/@acme/plugin-x");
    expect(publishedJsonSchema(entry)).toMatchObject({ title: "@acme/plugin-x settings", type: "object" });
  });

  it("are written as two-space JSON with a final newline", () => {
    expect(jsonSchemaText({ type: "object" })).toBe('{\n  "type": "object"\n}\n');
  });
});
