import { describe, expect, it } from "bun:test";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
const alice = await signUp(registry.base, "alice");
const bob = await signUp(registry.base, "bob");
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");

async function publish(
  token: string,
  name: string,
  version: string,
  extra: Record<string, unknown>,
  signed = false,
) {
  const tarball = packageTgz(name, version, extra);
  const integrity = `sha512-${createHash("sha512").update(tarball).digest("base64")}`;
  const doc = signed
    ? {
        dist: {
          publisherSignature: {
            keyid,
            sig: sign(null, Buffer.from(integrity), privateKey).toString("base64"),
          },
        },
      }
    : {};
  return call(registry.base, "PUT", `/${name.replace("/", "%2f")}`, {
    token,
    body: publishBody(name, version, tarball, { doc }),
  });
}

const keyid: string = (
  await call(registry.base, "POST", "/-/buntime/v1/publisher-keys", {
    token: alice,
    body: { publicKey: spki },
  })
).body.keyid;
const plugin = (kernel: string, more: Record<string, unknown> = {}) => ({
  description: "a plugin",
  buntime: { kernel, permissions: { network: ["api.example.com"], env: ["TOKEN"] } },
  ...more,
});
expect(
  (
    await publish(
      alice,
      "@acme/auth",
      "1.0.0",
      plugin("^1.0.0", { keywords: ["auth", "security"], categories: ["Security"] }),
      true,
    )
  ).status,
).toBe(201);
expect(
  (
    await publish(
      alice,
      "@acme/auth",
      "2.0.0",
      plugin("^2.0.0", { keywords: ["auth", "security"], categories: ["Security"] }),
      true,
    )
  ).status,
).toBe(201);
expect(
  (
    await publish(
      bob,
      "ratelimit",
      "1.0.0",
      plugin(">=1.0.0", { description: "limits request rates", keywords: ["rate"], categories: ["Traffic"] }),
    )
  ).status,
).toBe(201);
expect((await publish(bob, "plain-lib", "1.0.0", { description: "not a plugin" })).status).toBe(201);
for (let i = 0; i < 3; i++) await fetch(`${registry.base}/ratelimit/-/ratelimit-1.0.0.tgz`);
await fetch(`${registry.base}/@acme/auth/-/auth-1.0.0.tgz`);

const names = (body: { plugins: { name: string }[] }) => body.plugins.map((p) => p.name);

describe("marketplace list and search", () => {
  it("lists only plugins, most downloaded first by default", async () => {
    const res = await call(registry.base, "GET", "/-/marketplace/plugins");
    expect(res.body.total).toBe(2);
    expect(names(res.body)).toEqual(["ratelimit", "@acme/auth"]);
    expect(res.body.plugins[0]).toMatchObject({
      version: "1.0.0",
      downloads: 3,
      kernel: ">=1.0.0",
      publisher: "bob",
      categories: ["Traffic"],
    });
  });

  it("filters by text, keyword and category", async () => {
    expect(names((await call(registry.base, "GET", "/-/marketplace/plugins?q=rates")).body)).toEqual([
      "ratelimit",
    ]);
    expect(names((await call(registry.base, "GET", "/-/marketplace/plugins?keyword=security")).body)).toEqual(
      ["@acme/auth"],
    );
    expect(names((await call(registry.base, "GET", "/-/marketplace/plugins?category=traffic")).body)).toEqual(
      ["ratelimit"],
    );
    expect(
      names((await call(registry.base, "GET", "/-/marketplace/plugins?q=nothing-matches")).body),
    ).toEqual([]);
  });

  it("filters by kernel compatibility and shows the newest compatible version", async () => {
    const v1 = (await call(registry.base, "GET", "/-/marketplace/plugins?kernel=1.5.0&sort=name")).body;
    expect(v1.plugins.map((p: { name: string; version: string }) => `${p.name}@${p.version}`)).toEqual([
      "@acme/auth@1.0.0",
      "ratelimit@1.0.0",
    ]);
    const v0 = (await call(registry.base, "GET", "/-/marketplace/plugins?kernel=0.9.0")).body;
    expect(v0.total).toBe(0);
  });

  it("sorts by last update", async () => {
    expect(names((await call(registry.base, "GET", "/-/marketplace/plugins?sort=updated")).body)).toEqual([
      "ratelimit",
      "@acme/auth",
    ]);
    await Bun.sleep(5);
    await call(registry.base, "PUT", "/-/package/@acme%2fauth/dist-tags/stable", {
      token: alice,
      body: "1.0.0",
    });
    expect(names((await call(registry.base, "GET", "/-/marketplace/plugins?sort=updated")).body)).toEqual([
      "@acme/auth",
      "ratelimit",
    ]);
  });

  it("refuses bad query parameters with 400", async () => {
    const res = await call(registry.base, "GET", "/-/marketplace/plugins?kernel=banana");
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("kernel must be a version such as 1.2.0, got banana");
    expect((await call(registry.base, "GET", "/-/marketplace/plugins?sort=stars")).status).toBe(400);
    expect((await call(registry.base, "GET", "/-/marketplace/plugins?limit=0")).status).toBe(400);
  });
});

describe("marketplace detail and publishers", () => {
  it("shows readme, manifest, permissions, versions with dates, downloads per version and verified signatures", async () => {
    const res = await call(registry.base, "GET", "/-/marketplace/plugins/@acme/auth");
    expect(res.status).toBe(200);
    const detail = res.body;
    expect(detail.readme).toBe("# @acme/auth\n");
    expect(detail.manifest).toMatchObject({ kernel: "^2.0.0", mode: "persistent" });
    expect(detail.permissions).toEqual({ network: ["api.example.com"], env: ["TOKEN"], storage: false });
    expect(detail.publisher).toBe("alice");
    expect(detail.versions.map((v: { version: string }) => v.version)).toEqual(["2.0.0", "1.0.0"]);
    expect(Date.parse(detail.versions[0].publishedAt)).toBeGreaterThan(0);
    expect(detail.downloads).toEqual({ total: 1, byVersion: { "1.0.0": 1 } });
    expect(detail.versions[1].downloads).toBe(1);
    expect(detail.signatures.registry.verified).toBe(true);
    expect(detail.signatures.publisher).toEqual({ keyid, publisher: "alice", verified: true });
    const same = await call(registry.base, "GET", "/-/marketplace/plugins/@acme%2fauth");
    expect(same.body.name).toBe("@acme/auth");
  });

  it("serves the publisher signature in the packument", async () => {
    const doc = (await call(registry.base, "GET", "/@acme%2fauth")).body;
    const dist = doc.versions["1.0.0"].dist;
    expect(dist.publisherSignatures).toEqual([{ keyid, sig: expect.any(String), publisher: "alice" }]);
    const keys = (await call(registry.base, "GET", "/-/buntime/v1/publishers/alice/keys")).body.keys;
    expect(keys).toEqual([{ keyid, keytype: "ed25519", key: spki, createdAt: expect.any(String) }]);
  });

  it("refuses a publisher signature that does not verify", async () => {
    const tarball = packageTgz("@acme/forged", "1.0.0", plugin("^1.0.0"));
    const sig = sign(null, Buffer.from("sha512-something-else"), privateKey).toString("base64");
    const res = await call(registry.base, "PUT", "/@acme%2fforged", {
      token: alice,
      body: publishBody("@acme/forged", "1.0.0", tarball, {
        doc: { dist: { publisherSignature: { keyid, sig } } },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      `@acme/forged@1.0.0: publisher signature with key ${keyid} does not verify`,
    );
  });

  it("refuses a publisher key that is not ed25519", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    const res = await call(registry.base, "POST", "/-/buntime/v1/publisher-keys", {
      token: alice,
      body: { publicKey: ec },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("invalid publisher key: expected an ed25519 key, got ec");
  });

  it("refuses a private key sent as a publisher key, without deriving its public half", async () => {
    const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" });
    const res = await call(registry.base, "POST", "/-/buntime/v1/publisher-keys", {
      token: alice,
      body: { publicKey: pem },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "invalid publisher key: a private key, where a public key belongs (keep it secret)",
    );
  });

  it("answers 404 for a package that is not a plugin", async () => {
    const res = await call(registry.base, "GET", "/-/marketplace/plugins/plain-lib");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND");
  });

  it("shows a publisher profile with their plugins, downloads and keys", async () => {
    const res = await call(registry.base, "GET", "/-/marketplace/publishers/bob");
    expect(res.body).toMatchObject({ name: "bob", downloads: 3, keys: [] });
    expect(names(res.body)).toEqual(["ratelimit"]);
    expect((await call(registry.base, "GET", "/-/marketplace/publishers/alice")).body.keys[0].keyid).toBe(
      keyid,
    );
    expect((await call(registry.base, "GET", "/-/marketplace/publishers/nobody")).status).toBe(404);
  });

  it("lists categories with their plugin counts", async () => {
    const res = await call(registry.base, "GET", "/-/marketplace/categories");
    expect(res.body.categories).toEqual([
      { name: "Security", plugins: 1 },
      { name: "Traffic", plugins: 1 },
    ]);
  });
});
