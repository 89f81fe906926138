import { describe, expect, it } from "bun:test";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
const admin = await signUp(registry.base, "root"); // the first user is the admin
const alice = await signUp(registry.base, "alice");
const bob = await signUp(registry.base, "bob");

const publish = (token: string, name: string, version = "1.0.0", tag?: string) =>
  call(registry.base, "PUT", `/${name.replace("/", "%2f")}`, {
    token,
    body: publishBody(name, version, packageTgz(name, version), { tag }),
  });
const packument = (name: string) => call(registry.base, "GET", `/${name.replace("/", "%2f")}`);

describe("scopes are owned", () => {
  it("gives a scope to its first publisher and refuses others with 403 naming the scope and its owner", async () => {
    expect((await publish(alice, "@acme/one")).status).toBe(201);
    const refused = await publish(bob, "@acme/two");
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_SCOPE_OWNED",
      message: "bob may not publish @acme/two: the scope @acme belongs to alice",
    });
    expect((await packument("@acme/two")).status).toBe(404);
    expect((await publish(alice, "@acme/two")).status).toBe(201);
    expect((await publish(bob, "@bobs/one")).status).toBe(201);
  });

  it("reserves @buntime to the registry's admins", async () => {
    const refused = await publish(alice, "@buntime/plugin-squat");
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      "alice may not publish @buntime/plugin-squat: the scope @buntime belongs to the registry's admins",
    );
    expect((await packument("@buntime/plugin-squat")).status).toBe(404);
    expect((await publish(admin, "@buntime/plugin-squat")).status).toBe(201);
  });

  it("lets exactly one of two simultaneous first publishers own a new scope", async () => {
    const [first, second] = await Promise.all([publish(alice, "@race/a"), publish(bob, "@race/b")]);
    expect([first.status, second.status].sort()).toEqual([201, 403]);
    const winner = first.status === 201 ? "alice" : "bob";
    const loser = first.status === 201 ? second : first;
    expect(loser.body.error.message).toContain(`the scope @race belongs to ${winner}`);
  });

  it("leaves unscoped names to package ownership alone", async () => {
    expect((await publish(bob, "plain-name")).status).toBe(201);
    const refused = await publish(alice, "plain-name", "1.0.1");
    expect(refused.body.error.code).toBe("BUNTIME_ERR_REGISTRY_NOT_OWNER");
  });
});

describe("a prerelease never becomes latest at publish", () => {
  it("refuses a prerelease tagged latest with 400 and stores nothing", async () => {
    const refused = await publish(alice, "@acme/pre", "1.0.0-beta.1");
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_PRERELEASE_LATEST",
      message:
        "@acme/pre@1.0.0-beta.1: a prerelease does not become latest at publish; publish it with --tag <tag> (next, beta)",
    });
    expect((await packument("@acme/pre")).status).toBe(404);
  });

  it("publishes a first prerelease under its tag only, and keeps latest on the stable version after", async () => {
    expect((await publish(alice, "@acme/pre", "1.0.0-beta.1", "next")).status).toBe(201);
    expect((await packument("@acme/pre")).body["dist-tags"]).toEqual({ next: "1.0.0-beta.1" });
    expect((await publish(alice, "@acme/pre", "1.0.0")).status).toBe(201);
    expect((await publish(alice, "@acme/pre", "1.1.0-rc.1", "next")).status).toBe(201);
    expect((await packument("@acme/pre")).body["dist-tags"]).toEqual({ latest: "1.0.0", next: "1.1.0-rc.1" });
  });
});
