import { describe, expect, it } from "bun:test";
import { request } from "node:http";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const LIMIT = { attempts: 3, windowMs: 60_000 };

/**
 * `npm login`'s password PUT, sent from the loopback address `from` (any 127.0.0.0/8 address is
 * this machine), so tests can play several clients.
 */
function signInFrom(
  base: string,
  from: string,
  name: string,
  password: string,
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const url = new URL(`/-/user/org.couchdb.user:${name}`, base);
  const payload = JSON.stringify({ name, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "PUT",
        localAddress: from,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), headers: res.headers }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Asserts the limiter's refusal: 429, a positive Retry-After, the code and who is limited. */
function expectLimited(
  res: { status: number; body: { error: { code: string; message: string } }; headers: unknown },
  subject: string,
): void {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe("BUNTIME_ERR_REGISTRY_RATE_LIMITED");
  expect(res.body.error.message).toStartWith(`too many failed sign-ins for ${subject}; retry in `);
  const headers = res.headers as Headers | Record<string, string>;
  const retryAfter = headers instanceof Headers ? headers.get("retry-after") : headers["retry-after"];
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

describe("failed sign-ins", () => {
  it("limit the address and the account, never a valid token", async () => {
    const registry = await startTestRegistry({ authRateLimit: LIMIT });
    const victimToken = await signUp(registry.base, "victim");
    await signUp(registry.base, "neighbour");
    for (let i = 0; i < LIMIT.attempts; i++) {
      expect((await signInFrom(registry.base, "127.0.0.1", "victim", "guess-guess")).status).toBe(401);
    }

    // The limited account is refused even with its correct password, from this address…
    expectLimited(
      await signInFrom(registry.base, "127.0.0.1", "victim", "correct-horse"),
      "address 127.0.0.1",
    );
    // …and from any other: the account itself is limited.
    expectLimited(await signInFrom(registry.base, "127.0.0.2", "victim", "correct-horse"), "account victim");
    // The limited address may not sign in to another account either…
    expectLimited(
      await signInFrom(registry.base, "127.0.0.1", "neighbour", "correct-horse"),
      "address 127.0.0.1",
    );
    // …which still signs in from another address.
    expect((await signInFrom(registry.base, "127.0.0.2", "neighbour", "correct-horse")).status).toBe(201);

    // A valid token from the limited address, for the limited account, is never refused.
    const whoami = await call(registry.base, "GET", "/-/whoami", { token: victimToken });
    expect(whoami.status).toBe(200);
    expect(whoami.body).toEqual({ username: "victim" });
    const published = await call(registry.base, "PUT", "/still-works", {
      token: victimToken,
      body: publishBody("still-works", "1.0.0", packageTgz("still-works", "1.0.0")),
    });
    expect(published.status).toBe(201);
    expect((await call(registry.base, "GET", "/still-works")).body["dist-tags"]).toEqual({ latest: "1.0.0" });

    // A forged token from the limited address is refused by the limiter, not looked at further.
    expectLimited(await call(registry.base, "GET", "/-/whoami", { token: "bt_forged" }), "address 127.0.0.1");
    // Failed attempts minted no token for the account: only the sign-up's is listed.
    const tokens = await call(registry.base, "GET", "/-/npm/v1/tokens", { token: victimToken });
    expect(tokens.body.total).toBe(1);
  });

  it("limit an account guessed from many addresses, one guess each", async () => {
    const registry = await startTestRegistry({ authRateLimit: LIMIT });
    await signUp(registry.base, "spread");
    await signUp(registry.base, "bystander");
    for (let i = 0; i < LIMIT.attempts; i++) {
      const res = await signInFrom(registry.base, `127.0.1.${i + 1}`, "spread", "guess-guess");
      expect(res.status).toBe(401);
    }
    expectLimited(await signInFrom(registry.base, "127.0.2.1", "spread", "guess-guess"), "account spread");
    expectLimited(await signInFrom(registry.base, "127.0.2.1", "spread", "correct-horse"), "account spread");
    // None of those addresses is limited: each made one guess.
    expect((await signInFrom(registry.base, "127.0.1.1", "bystander", "correct-horse")).status).toBe(201);
  });

  it("count a wrong password at token creation against the account", async () => {
    const registry = await startTestRegistry({ authRateLimit: LIMIT });
    const token = await signUp(registry.base, "minter");
    for (let i = 0; i < LIMIT.attempts; i++) {
      const wrong = await call(registry.base, "POST", "/-/npm/v1/tokens", {
        token,
        body: { password: "guess-guess" },
      });
      expect(wrong.status).toBe(401);
    }
    const refused = await call(registry.base, "POST", "/-/npm/v1/tokens", {
      token,
      body: { password: "correct-horse" },
    });
    expectLimited(refused, "address 127.0.0.1");
    expectLimited(await signInFrom(registry.base, "127.0.0.2", "minter", "correct-horse"), "account minter");
    expect((await call(registry.base, "GET", "/-/whoami", { token })).status).toBe(200);
  });
});
