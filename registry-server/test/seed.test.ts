import { describe, expect, it } from "bun:test";
import { isBuntimeError } from "@buntime/sdk";
import { call, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz } from "./helpers/tarball.ts";

describe("seeding with publishTarball", () => {
  it("publishes a tarball in process, once, as the seeding user", async () => {
    const registry = await startTestRegistry();
    const tarball = packageTgz("@buntime/router", "0.1.0", { buntime: { kernel: "^0.1.0" } });
    const first = await registry.publishTarball(tarball);
    const again = await registry.publishTarball(tarball);
    expect(again.publishedAt).toBe(first.publishedAt);
    const doc = (await call(registry.base, "GET", "/@buntime%2frouter")).body;
    expect(doc["dist-tags"]).toEqual({ latest: "0.1.0" });
    expect(doc.versions["0.1.0"]._npmUser).toEqual({ name: "buntime" });
    const download = await fetch(`${registry.base}/@buntime/router/-/router-0.1.0.tgz`);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(tarball))).toBe(true);
    // Nobody can sign in as the seeding user.
    const login = await call(registry.base, "PUT", "/-/user/org.couchdb.user:buntime", {
      body: { name: "buntime", password: "guessing-game" },
    });
    expect(login.status).toBe(401);
  });

  it("refuses different bytes for a version it already holds, and invalid tarballs", async () => {
    const registry = await startTestRegistry();
    await registry.publishTarball(packageTgz("seeded", "1.0.0"));
    const conflict = await registry
      .publishTarball(packageTgz("seeded", "1.0.0", { description: "changed" }))
      .catch((e: unknown) => e);
    expect(isBuntimeError(conflict, "BUNTIME_ERR_REGISTRY_VERSION_EXISTS")).toBe(true);
    const invalid = await registry.publishTarball(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(isBuntimeError(invalid, "BUNTIME_ERR_REGISTRY_TARBALL_INVALID")).toBe(true);
  });
});
