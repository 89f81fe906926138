/** The rules API in the kernel's OpenAPI document: under the plugin's base, with the rule schema. */
import { afterEach, describe, expect, it } from "bun:test";
import { operationsOf } from "@buntime/sdk";
import { ADMIN, cleanUp, fakeAuth, startProxy } from "./support.ts";

afterEach(cleanUp);

describe("proxy in /_/api/openapi.json", () => {
  it("lists the rules API under /proxy with the rule the route checks", async () => {
    const kernel = await startProxy({ plugins: [fakeAuth] });
    const document = await (await kernel.fetch("/_/api/openapi.json")).json();
    expect(operationsOf(document)).toEqual(
      expect.arrayContaining([
        "get /proxy/api/rules",
        "post /proxy/api/rules",
        "put /proxy/api/rules/{id}",
        "delete /proxy/api/rules/{id}",
      ]),
    );
    const body = document.paths["/proxy/api/rules"].post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["id", "path", "upstream"]);
    expect(body.additionalProperties).toBe(false);
    // a body the schema refuses (a key it does not know) the route refuses
    const refused = await kernel.fetch("/proxy/api/rules", {
      method: "POST",
      headers: { authorization: ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ id: "a", path: "/a/*", upstream: "http://127.0.0.1:1", colour: "red" }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_PROXY_RULE_INVALID");
  });
});
