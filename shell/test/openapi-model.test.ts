import { describe, expect, it } from "bun:test";
import { groupOperations, matches, resolveRef } from "../src/client/openapi-model.ts";

const DOC = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  tags: [{ name: "kernel", description: "The kernel's own API" }, { name: "@acme/notes" }],
  components: {
    schemas: { Note: { type: "object", properties: { text: { type: "string" } } } },
    parameters: { Id: { name: "id", in: "path", required: true, schema: { type: "string" } } },
    responses: { Missing: { description: "no such note" } },
  },
  paths: {
    "/notes/{id}": {
      parameters: [{ $ref: "#/components/parameters/Id" }],
      get: {
        tags: ["@acme/notes"],
        operationId: "getNote",
        summary: "One note",
        responses: {
          200: {
            description: "the note",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Note" } } },
          },
          404: { $ref: "#/components/responses/Missing" },
        },
      },
      put: {
        tags: ["@acme/notes"],
        summary: "Replace a note",
        parameters: [
          { name: "id", in: "path", required: true, description: "its id", schema: { type: "integer" } },
        ],
        requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Note" } } } },
        responses: { 204: { description: "replaced" } },
      },
    },
    "/_/api/health": {
      get: { tags: ["kernel"], summary: "The kernel answers", responses: { 200: { description: "up" } } },
    },
    "/misc": { post: { summary: "Untagged" }, description: "not a method: skipped" },
  },
};

describe("reading an OpenAPI document for the API page", () => {
  it("groups operations by their first tag, in the document's tag order, untagged ones last", () => {
    const groups = groupOperations(DOC);
    expect(
      groups.map((group) => [group.tag, group.operations.map((op) => `${op.method} ${op.path}`)]),
    ).toEqual([
      ["kernel", ["GET /_/api/health"]],
      ["@acme/notes", ["GET /notes/{id}", "PUT /notes/{id}"]],
      ["other", ["POST /misc"]],
    ]);
    expect(groups[0]?.description).toBe("The kernel's own API");
  });

  it("resolves local $refs of parameters, bodies and responses, and lets an operation's parameter override the path's", () => {
    const [get, put] = groupOperations(DOC)[1]?.operations ?? [];
    expect(get?.parameters).toEqual([
      { name: "id", in: "path", required: true, description: "", schema: { type: "string" } },
    ]);
    expect(get?.responses).toEqual([
      {
        status: "200",
        description: "the note",
        schemas: [{ type: "application/json", schema: DOC.components.schemas.Note }],
      },
      { status: "404", description: "no such note", schemas: [] },
    ]);
    expect(put?.parameters[0]).toMatchObject({ description: "its id", schema: { type: "integer" } });
    expect(put?.requestBody).toEqual([{ type: "application/json", schema: DOC.components.schemas.Note }]);
  });

  it("leaves a $ref it cannot follow as it is, and reads garbage as no operations", () => {
    expect(resolveRef(DOC, { $ref: "#/components/schemas/Nope" })).toEqual({
      $ref: "#/components/schemas/Nope",
    });
    expect(resolveRef(DOC, { $ref: "https://elsewhere.example/x.json" })).toEqual({
      $ref: "https://elsewhere.example/x.json",
    });
    for (const garbage of [null, "text", [], { paths: "x" }, { paths: { "/a": { get: "no" } } }]) {
      expect(groupOperations(garbage)).toEqual([]);
    }
  });

  it("searches method, path, tag, id and summary, every word, any case", () => {
    const ops = groupOperations(DOC).flatMap((group) => group.operations);
    const found = (query: string) =>
      ops.filter((op) => matches(op, query)).map((op) => `${op.method} ${op.path}`);
    expect(found("")).toHaveLength(4);
    expect(found("notes")).toEqual(["GET /notes/{id}", "PUT /notes/{id}"]);
    expect(found("put NOTE")).toEqual(["PUT /notes/{id}"]);
    expect(found("getnote")).toEqual(["GET /notes/{id}"]);
    expect(found("health kernel")).toEqual(["GET /_/api/health"]);
    expect(found("nothing-like-this")).toEqual([]);
  });
});
