import { describe, expect, it } from "bun:test";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

describe("publishing a version search cannot order", () => {
  it("refuses a numeric prerelease identifier of 2^53 or more, and stores nothing", async () => {
    const registry = await startTestRegistry();
    const token = await signUp(registry.base, "orderly");
    const version = "1.0.0-99999999999999999";
    const body = publishBody("huge", version, packageTgz("huge", version), { tag: "next" });
    const refused = await call(registry.base, "PUT", "/huge", { token, body });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("BUNTIME_ERR_REGISTRY_PUBLISH_INVALID");
    expect(refused.body.error.message).toContain(version);
    expect((await call(registry.base, "GET", "/huge")).status).toBe(404);
    const fine = "1.0.0-9007199254740990";
    const ok = publishBody("huge", fine, packageTgz("huge", fine), { tag: "next" });
    expect((await call(registry.base, "PUT", "/huge", { token, body: ok })).status).toBe(201);
  });
});
