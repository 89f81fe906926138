/** The logs API in the kernel's OpenAPI document: under the plugin's base, with the query the routes check. */
import { afterEach, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { operationsOf } from "@buntime/sdk";

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

const TOKEN = "t".repeat(32);

describe("logs in /_/api/openapi.json", () => {
  it("lists the query, tail and peer routes under /logs with the query they check", async () => {
    const kernel = await createTestKernel({
      plugins: [join(import.meta.dir, "..")],
      config: { plugins: { "@buntime/plugin-logs": { cluster: { token: TOKEN } } } },
    });
    kernels.push(kernel);
    const document = await (await kernel.fetch("/_/api/openapi.json")).json();
    expect(operationsOf(document)).toEqual(
      expect.arrayContaining(["get /logs/api/logs", "get /logs/api/tail", "get /logs/peer/logs"]),
    );
    // the UI page's redirect is for people, not clients
    expect(operationsOf(document)).not.toContain("get /logs");
    const parameters = document.paths["/logs/api/logs"].get.parameters as { name: string; schema: unknown }[];
    const level = parameters.find((parameter) => parameter.name === "level");
    expect(level?.schema).toEqual({ type: "string", enum: ["debug", "info", "warn", "error"] });
    expect(document.paths["/logs/api/tail"].get.responses[200].content).toHaveProperty("text/event-stream");

    // a value the document's enum leaves out, the route refuses with its own code
    const refused = await kernel.fetch("/logs/api/logs?level=loud");
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_LOGS_QUERY_INVALID");
    // a peer's query is checked only after its token: without one, 401 and nothing of the query
    const stranger = await kernel.fetch("/logs/peer/logs?level=loud");
    expect(stranger.status).toBe(401);
    const peer = await kernel.fetch("/logs/peer/logs?level=loud", {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(peer.status).toBe(400);
    expect((await peer.json()).error.code).toBe("BUNTIME_ERR_LOGS_QUERY_INVALID");
  });
});
