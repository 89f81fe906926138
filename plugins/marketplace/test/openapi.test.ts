/** The marketplace's API in the kernel's OpenAPI document; its HTML pages are left out. */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { operationsOf } from "@buntime/sdk";
import { type Bench, startBench } from "./support.ts";

describe("marketplace in /_/api/openapi.json", () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await startBench();
  });
  afterAll(() => bench.stop());

  it("lists the API under /marketplace with the apply body, and refuses what the schema refuses", async () => {
    const document = await (await fetch(new URL("/_/api/openapi.json", bench.url))).json();
    expect(
      operationsOf(document)
        .filter((operation) => operation.includes(" /marketplace/"))
        .sort(),
    ).toEqual([
      "get /marketplace/api/audit.jsonl",
      "get /marketplace/api/export.distro.json",
      "get /marketplace/api/jobs/{id}/events",
      "get /marketplace/api/plan",
      "post /marketplace/api/apply",
      "post /marketplace/api/pin",
    ]);
    const apply =
      document.paths["/marketplace/api/apply"].post.requestBody.content["application/json"].schema;
    expect(apply.properties.action.enum).toEqual(["install", "upgrade", "update-all", "rollback", "remove"]);
    const refused = await fetch(new URL("/marketplace/api/apply", bench.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "explode", name: "@acme/x" }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
  });
});
