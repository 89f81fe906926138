/** The policy API in the kernel's OpenAPI document: under the plugin's base, with the policy schema. */
import { describe, expect, it } from "bun:test";
import { startAuthz } from "./support.ts";

describe("authz in /_/api/openapi.json", () => {
  it("lists the policy API under /authz with the body the route checks", async () => {
    const { kernel, put } = await startAuthz();
    const document = await (await kernel.fetch("/_/api/openapi.json")).json();
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        "get /authz/api/policies",
        "put /authz/api/policies/{id}",
        "delete /authz/api/policies/{id}",
        "get /authz/api/explain",
      ]),
    );
    const body =
      document.paths["/authz/api/policies/{id}"].put.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["id", "effect"]);
    expect(body.properties.effect.enum).toEqual(["allow", "deny"]);
    expect(document.paths["/authz/api/explain"].get.tags).toEqual(["@buntime/plugin-authz"]);
    // what the schema calls invalid (an effect outside the enum) the route refuses
    expect((await put({ id: "a", effect: "maybe" })).status).toBe(400);
  });
});
