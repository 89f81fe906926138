import { describe, expect, it } from "bun:test";
import { isBuntimeError } from "@buntime/sdk";
import { generatePublisherKeys, verifyPublisherSignature } from "@buntime/supply";
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

describe("seeding with a publisher key", () => {
  it("publishes the publisher's signature and registers its key once; a stored version stays as published", async () => {
    const registry = await startTestRegistry();
    const key = generatePublisherKeys();
    await registry.publishTarball(packageTgz("unsigned", "1.0.0"));
    for (const name of ["signed", "also-signed"]) {
      await registry.publishTarball(packageTgz(name, "1.0.0"), { publisherKey: key });
    }
    const keys = (await call(registry.base, "GET", "/-/buntime/v1/publishers/buntime/keys")).body.keys;
    expect(keys.map((k: { keyid: string }) => k.keyid)).toEqual([key.keyid]);
    const dist = (await call(registry.base, "GET", "/signed")).body.versions["1.0.0"].dist;
    expect(dist.publisherSignatures).toEqual([
      expect.objectContaining({ keyid: key.keyid, publisher: "buntime" }),
    ]);
    const trusted = keys.map((k: { keyid: string; key: string }) => ({ keyid: k.keyid, key: k.key }));
    expect(() =>
      verifyPublisherSignature("signed@1.0.0", dist.integrity, dist.publisherSignatures, trusted),
    ).not.toThrow();
    await registry.publishTarball(packageTgz("unsigned", "1.0.0"), { publisherKey: key });
    const kept = (await call(registry.base, "GET", "/unsigned")).body.versions["1.0.0"].dist;
    expect(kept.publisherSignatures).toBeUndefined();
  });

  it("refuses a key that is no ed25519 public key, publishing nothing", async () => {
    const registry = await startTestRegistry();
    const bad = { privateKey: generatePublisherKeys().privateKey, publicKey: "not a key" };
    const refused = await registry
      .publishTarball(packageTgz("x", "1.0.0"), { publisherKey: bad })
      .catch((e) => e);
    expect(isBuntimeError(refused, "BUNTIME_ERR_REGISTRY_KEY_INVALID")).toBe(true);
    expect((await call(registry.base, "GET", "/x")).status).toBe(404);
  });
});
