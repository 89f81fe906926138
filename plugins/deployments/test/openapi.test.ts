/** The deployments API in the kernel's OpenAPI document: every route under the plugin's base. */
import { describe, expect, it } from "bun:test";
import { operationsOf } from "@buntime/sdk";
import { start } from "./support.ts";

describe("deployments in /_/api/openapi.json", () => {
  it("lists every route under /deployments, and refuses what the activate schema refuses", async () => {
    const { admin, get } = await start();
    const document = await (await get("/_/api/openapi.json")).json();
    expect(
      operationsOf(document)
        .filter((operation) => operation.includes(" /deployments/"))
        .sort(),
    ).toEqual([
      "delete /deployments/api/apps/{name}",
      "delete /deployments/api/apps/{name}/versions/{version}",
      "get /deployments/api/apps",
      "get /deployments/api/apps/{name}",
      "get /deployments/api/hosts",
      "post /deployments/api/apps",
      "post /deployments/api/apps/{name}/activate",
      "post /deployments/api/apps/{name}/rollback",
      "put /deployments/api/hosts",
    ]);
    const activate = document.paths["/deployments/api/apps/{name}/activate"].post;
    expect(activate.requestBody.content["application/json"].schema.required).toEqual(["version"]);
    const refused = await admin("/deployments/api/apps/shop/activate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ version: 1 }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_DEPLOY_UPLOAD_INVALID");
  });
});
