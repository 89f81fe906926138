import { describe, expect, it } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "../src/kernel.ts";
import { startTestKernel } from "./support/kernel-fixture.ts";

describe("GET /_/api/cluster on a kernel that is no cluster node", () => {
  it("answers 200 { cluster: false }, uncached", async () => {
    const { request } = await startTestKernel();
    const res = await request("/_/api/cluster");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ cluster: false });
  });

  it("refuses a write to it with 401 without the admin token", async () => {
    const { request } = await startTestKernel();
    const res = await request("/_/api/cluster", { method: "POST" });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("BUNTIME_ERR_UNAUTHORIZED");
  });

  it("answers 404 to a write with the token: there is nothing to write", async () => {
    const { kernel, request } = await startTestKernel();
    const res = await request("/_/api/cluster", {
      method: "POST",
      headers: { authorization: `Bearer ${kernel.adminToken}` },
    });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("BUNTIME_ERR_NOT_FOUND");
  });
});

describe("GET /_/api/cluster on a node that cannot reach the cluster's PostgreSQL", () => {
  it("answers 503 BUNTIME_ERR_CLUSTER_UNREACHABLE with why, not an anonymous 500", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const closed = listener.port;
    listener.stop(true);
    const kernel = createKernel({
      config: {
        port: 0,
        home: mkdtempSync(join(tmpdir(), "cluster-api-")),
        cluster: {
          node: "lonely",
          postgres: `postgres://postgres@127.0.0.1:${closed}/x`,
          reconcileInterval: 60_000,
        },
      },
      clusterSupply: {
        source: "nowhere",
        fetchTarball: () => Promise.reject(new Error("none")),
        unpack() {},
      },
      logSink: () => {},
    });
    await kernel.start();
    try {
      const res = await kernel.fetch(new Request("http://localhost/_/api/cluster"));
      expect(res.status).toBe(503);
      const { error } = await res.json();
      expect(error.code).toBe("BUNTIME_ERR_CLUSTER_UNREACHABLE");
      expect(error.message).toStartWith("cannot read the cluster's nodes from PostgreSQL: ");
    } finally {
      await kernel.stop();
    }
  }, 30_000);
});
