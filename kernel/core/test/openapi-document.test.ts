/** How the document is put together: plugins' paths under their bases, shared schema names, isolated plugins. */
import { describe, expect, it } from "bun:test";
import { describeRoute, jsonResponse, operationsOf } from "@buntime/sdk";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Hono } from "hono";
import { z } from "zod";
import { buildOpenApiDocument, type RoutedPlugin } from "../src/api/openapi-document.ts";

/** A plugin whose one route answers a schema registered under the component name `Item`. */
function plugin(name: string, base: string, item: z.ZodType): RoutedPlugin {
  const routes = new Hono().get(
    "/item",
    describeRoute({ responses: { 200: jsonResponse("the item", item.meta({ id: "Item" })) } }),
    (c) => c.json({}),
  );
  return { name, version: "1.0.0", manifest: { base }, hooks: { routes } };
}

describe("buildOpenApiDocument", () => {
  it("keeps two plugins' schemas of one name apart, each path referring to its own", async () => {
    const kernelApi = new Hono().basePath("/_/api");
    const document = await buildOpenApiDocument(kernelApi, [
      plugin("@acme/books", "/books", z.object({ isbn: z.string() })),
      plugin("films", "/films", z.object({ minutes: z.number() })),
      // a root base files the plugin's paths as they are
      plugin("root", "/", z.object({ isbn: z.string() })),
    ]);
    expect(operationsOf(document)).toEqual(["get /books/item", "get /films/item", "get /item"]);
    // biome-ignore lint/suspicious/noExplicitAny: reading a generated document
    const paths = document.paths as any;
    const refOf = (path: string) => paths[path].get.responses["200"].content["application/json"].schema.$ref;
    expect(refOf("/books/item")).toBe("#/components/schemas/Item");
    expect(refOf("/films/item")).toBe("#/components/schemas/films.Item");
    // the same schema under the same name is one component
    expect(refOf("/item")).toBe("#/components/schemas/Item");
    expect(Object.keys(document.components?.schemas ?? {}).sort()).toEqual(["Item", "films.Item"]);
    expect(document.components?.schemas?.["films.Item"]).toMatchObject({ properties: { minutes: {} } });
    expect((await new Validator().validate(document as unknown as Record<string, unknown>)).valid).toBe(true);
  });

  it("lists an isolated plugin as a tag without paths: its routes run in a worker", async () => {
    const isolated: RoutedPlugin = {
      name: "sandboxed",
      version: "2.0.0",
      manifest: { base: "/sandboxed", mode: "isolated" },
      hooks: { routes: undefined },
    };
    const document = await buildOpenApiDocument(new Hono(), [isolated]);
    expect(document.tags).toContainEqual({
      name: "sandboxed",
      description: "sandboxed 2.0.0, under /sandboxed; runs isolated, routes not described",
    });
    expect(operationsOf(document)).toEqual([]);
  });

  it("serves the rest of the document when one plugin's description fails, saying why in its tag", async () => {
    const failing = () => {
      throw new Error("cannot convert this schema");
    };
    const broken = new Hono().get(
      "/x",
      describeRoute({
        responses: {
          200: {
            description: "x",
            content: { "application/json": { schema: { toOpenAPISchema: failing } as never } },
          },
        },
      }),
      (c) => c.json({}),
    );
    const document = await buildOpenApiDocument(new Hono(), [
      { name: "broken", version: "1.0.0", manifest: { base: "/broken" }, hooks: { routes: broken } },
      plugin("films", "/films", z.object({ minutes: z.number() })),
    ]);
    expect(operationsOf(document)).toEqual(["get /films/item"]);
    expect(document.tags).toContainEqual({
      name: "broken",
      description:
        "broken 1.0.0, under /broken; its routes could not be described: cannot convert this schema",
    });
  });
});
