/** The metrics plugin in the kernel's OpenAPI document: under its base, the exposition as text/plain. */
import { afterEach, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { operationsOf } from "@buntime/sdk";

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

const SCRAPE_TOKEN = "s".repeat(16);

describe("metrics in /_/api/openapi.json", () => {
  it("lists the exposition, the snapshot, the cluster summary and the peer summary under /metrics", async () => {
    const kernel = await createTestKernel({
      plugins: [join(import.meta.dir, "..")],
      config: { plugins: { "@buntime/plugin-metrics": { scrapeToken: SCRAPE_TOKEN } } },
    });
    kernels.push(kernel);
    const document = await (await kernel.fetch("/_/api/openapi.json")).json();
    expect(operationsOf(document)).toEqual(
      expect.arrayContaining([
        "get /metrics",
        "get /metrics/api/snapshot",
        "get /metrics/api/cluster",
        "get /metrics/peer/summary",
      ]),
    );
    const exposition = document.paths["/metrics"].get;
    expect(Object.keys(exposition.responses[200].content)).toEqual(["text/plain"]);
    const snapshot =
      document.paths["/metrics/api/snapshot"].get.responses[200].content["application/json"].schema;
    expect(snapshot.required).toEqual(
      expect.arrayContaining(["time", "kernel", "routes", "pool", "plugins"]),
    );

    // what the document says: text/plain with the token, 401 with its code without it
    const refused = await kernel.fetch("/metrics");
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED");
    expect(exposition.responses[401]).toBeDefined();
    const scraped = await kernel.fetch("/metrics", { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toStartWith("text/plain");
    const answered = await (await kernel.fetch("/metrics/api/snapshot")).json();
    expect(Object.keys(answered).sort()).toEqual(Object.keys(snapshot.properties).sort());
  });
});
