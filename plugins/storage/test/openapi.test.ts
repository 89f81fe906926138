/** The storage HTTP API in the kernel's OpenAPI document: an app's keys, shared spaces, queues. */
import { afterEach, describe, expect, it } from "bun:test";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import storage from "@buntime/plugin-storage";
import { operationsOf } from "@buntime/sdk";
import storagePackage from "../package.json" with { type: "json" };

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

describe("storage in /_/api/openapi.json", () => {
  it("lists the key, batch, queue and watch routes under /storage, for own keys and shared spaces", async () => {
    const kernel = await createTestKernel({ plugins: [{ packageJson: storagePackage, plugin: storage }] });
    kernels.push(kernel);
    const document = await (await kernel.fetch("/_/api/openapi.json")).json();
    const operations = operationsOf(document);
    for (const operation of [
      "get /storage/api/keys",
      "post /storage/api/batch",
      "get /storage/api/keys/{key}",
      "put /storage/api/keys/{key}",
      "delete /storage/api/keys/{key}",
      "get /storage/api/shared/{space}/keys/{key}",
      "post /storage/api/shared/{space}/batch",
      "post /storage/api/queues/{name}",
      "post /storage/api/queues/{name}/receive",
      "post /storage/api/queues/{name}/messages/{id}/{verdict}",
      "get /storage/api/queues/{name}/dead",
      "get /storage/api/watch",
      "get /storage/api/shared/{space}/watch",
    ]) {
      expect(operations).toContain(operation);
    }
    const limit = document.paths["/storage/api/keys"].get.parameters.find(
      (parameter: { name: string }) => parameter.name === "limit",
    );
    expect(limit).toMatchObject({ in: "query", schema: { type: "string", pattern: "^\\d+$" } });
    expect(
      document.paths["/storage/api/batch"].post.requestBody.content["application/json"].schema.required,
    ).toEqual(["operations"]);
  });
});
