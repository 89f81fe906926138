import { describe, expect, it } from "bun:test";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

describe("tokens", () => {
  it("creates scoped tokens with the password, lists them without their secret and revokes them", async () => {
    const registry = await startTestRegistry();
    const login = await signUp(registry.base, "owner1");
    const wrong = await call(registry.base, "POST", "/-/npm/v1/tokens", {
      token: login,
      body: { password: "nope" },
    });
    expect(wrong.status).toBe(401);
    const created = await call(registry.base, "POST", "/-/npm/v1/tokens", {
      token: login,
      body: { password: "correct-horse", scope: "read", name: "ci" },
    });
    expect(created.status).toBe(201);
    expect(created.body.scope).toBe("read");
    const list = await call(registry.base, "GET", "/-/npm/v1/tokens", { token: login });
    expect(list.body.objects.map((t: { name: string }) => t.name).sort()).toEqual(["ci", "npm login"]);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await call(registry.base, "GET", "/-/whoami", { token: created.body.token })).body).toEqual({
      username: "owner1",
    });

    const revoked = await call(registry.base, "DELETE", `/-/npm/v1/tokens/token/${created.body.key}`, {
      token: login,
    });
    expect(revoked.status).toBe(204);
    const after = await call(registry.base, "GET", "/-/whoami", { token: created.body.token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("BUNTIME_ERR_REGISTRY_BAD_CREDENTIALS");
    // A client still holding the revoked token can sign in again.
    const again = await call(registry.base, "PUT", "/-/user/org.couchdb.user:owner1", {
      token: created.body.token,
      body: { name: "owner1", password: "correct-horse" },
    });
    expect(again.status).toBe(201);
  });

  it("stores tokens hashed: the secret appears nowhere in the database file", async () => {
    const registry = await startTestRegistry();
    const token = await signUp(registry.base, "hashy");
    const db = await Bun.file(`${registry.dir}/store/registry.db`).bytes();
    const wal = Bun.file(`${registry.dir}/store/registry.db-wal`);
    const bytes = Buffer.concat([db, (await wal.exists()) ? await wal.bytes() : new Uint8Array()]);
    expect(bytes.includes(Buffer.from(token))).toBe(false);
    expect(bytes.includes(Buffer.from(new Bun.CryptoHasher("sha256").update(token).digest("hex")))).toBe(
      true,
    );
  });

  it("lets only the admin (the first user) mint admin tokens", async () => {
    const registry = await startTestRegistry();
    const admin = await signUp(registry.base, "root");
    const user = await signUp(registry.base, "someone");
    const denied = await call(registry.base, "POST", "/-/npm/v1/tokens", {
      token: user,
      body: { password: "correct-horse", scope: "admin" },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe("someone may not create admin tokens");
    const granted = await call(registry.base, "POST", "/-/npm/v1/tokens", {
      token: admin,
      body: { password: "correct-horse", scope: "admin" },
    });
    expect(granted.status).toBe(201);
    // An admin token may act on a package the admin does not own.
    await call(registry.base, "PUT", "/owned", {
      token: user,
      body: publishBody("owned", "1.0.0", packageTgz("owned", "1.0.0")),
    });
    const tagged = await call(registry.base, "PUT", "/-/package/owned/dist-tags/beta", {
      token: granted.body.token,
      body: "1.0.0",
    });
    expect(tagged.status).toBe(201);
    const plain = await call(registry.base, "PUT", "/-/package/owned/dist-tags/next", {
      token: admin,
      body: "1.0.0",
    });
    expect(plain.status).toBe(403);
  });

  it("rate limits failed sign-ins with 429 and Retry-After", async () => {
    const registry = await startTestRegistry({ authRateLimit: { attempts: 3, windowMs: 60_000 } });
    await signUp(registry.base, "target");
    const attempt = () =>
      call(registry.base, "PUT", "/-/user/org.couchdb.user:target", {
        body: { name: "target", password: "guess-guess" },
      });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("BUNTIME_ERR_REGISTRY_RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const badToken = await call(registry.base, "GET", "/-/whoami", { token: "bt_forged" });
    expect(badToken.status).toBe(429);
  });

  it("refuses new users when registration is closed", async () => {
    const registry = await startTestRegistry({ allowRegistration: false });
    const res = await call(registry.base, "PUT", "/-/user/org.couchdb.user:newbie", {
      body: { name: "newbie", password: "long-enough" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_REGISTRATION_CLOSED",
      message: "this registry does not accept new users (newbie)",
    });
  });

  it("refuses a password shorter than 8 characters", async () => {
    const registry = await startTestRegistry();
    const res = await call(registry.base, "PUT", "/-/user/org.couchdb.user:shorty", {
      body: { name: "shorty", password: "short" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("invalid user: password: at least 8 characters");
  });
});

describe("private registries", () => {
  it("refuses anonymous reads when anonymousRead is off but serves a read token", async () => {
    const registry = await startTestRegistry({ anonymousRead: false });
    const token = await signUp(registry.base, "reader");
    await call(registry.base, "PUT", "/secret", {
      token,
      body: publishBody("secret", "1.0.0", packageTgz("secret", "1.0.0")),
    });
    for (const path of [
      "/secret",
      "/secret/-/secret-1.0.0.tgz",
      "/-/v1/search?text=secret",
      "/-/marketplace/plugins",
    ]) {
      const anonymous = await call(registry.base, "GET", path);
      expect(anonymous.status).toBe(401);
      expect((await call(registry.base, "GET", path, { token })).status).toBe(200);
    }
  });
});
