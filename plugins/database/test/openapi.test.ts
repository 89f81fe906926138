/** The database plugin in the kernel's OpenAPI document: the libSQL protocol and the admin API. */
import { afterEach, describe, expect, it } from "bun:test";
import type { TestKernel } from "@buntime/kernel/testing";
import { operationsOf } from "@buntime/sdk";
import { ADMIN_TOKEN, startKernel, tempHome } from "./support.ts";

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.stop();
});

describe("database in /_/api/openapi.json", () => {
  it("lists the protocol and admin routes under /database, with the console's body", async () => {
    kernel = await startKernel(tempHome());
    const document = await (await kernel.fetch("/_/api/openapi.json")).json();
    const operations = operationsOf(document);
    for (const operation of [
      "get /database/apps/{app}/v2",
      "post /database/apps/{app}/v2/pipeline",
      "post /database/apps/{app}/tenants/{tenant}/v2/pipeline",
      "post /database/api/backups/{app}",
      "get /database/api/backups/{app}/tenants/{tenant}",
      "post /database/api/restores/{app}",
      "get /database/api/console/databases",
      "get /database/api/console/tables",
      "post /database/api/console/query",
    ]) {
      expect(operations).toContain(operation);
    }
    const query =
      document.paths["/database/api/console/query"].post.requestBody.content["application/json"].schema;
    expect(query).toMatchObject({ required: ["database", "sql"], additionalProperties: false });
    // what the schema refuses (an empty statement) the console refuses, after checking who asks
    const refused = await kernel.fetch("/database/api/console/query", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ database: "notes", sql: "" }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_DATABASE_REQUEST_INVALID");
  });
});
