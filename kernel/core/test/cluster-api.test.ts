import { describe, expect, it } from "bun:test";
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
