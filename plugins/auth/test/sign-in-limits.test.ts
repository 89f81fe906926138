import { afterEach, describe, expect, it } from "bun:test";
import { request } from "node:http";
import { ADMIN_PASSWORD, cookieOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

interface Answer {
  readonly status: number;
  readonly body: { error?: { code: string; message: string } };
  readonly retryAfter: string | undefined;
  readonly cookies: string[];
}

/**
 * A JSON sign-in sent over HTTP from the loopback address `from` (all of 127.0.0.0/8 is this
 * machine), so one test can play many clients.
 */
function signInFrom(url: URL, from: string, username: string, password: string): Promise<Answer> {
  const payload = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: "/auth/login",
        method: "POST",
        localAddress: from,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text),
            retryAfter: res.headers["retry-after"],
            cookies: res.headers["set-cookie"] ?? [],
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Asserts the limits' refusal: 429, Retry-After within the window, who is limited, no session. */
function expectLimited(answer: Answer, subject: string): void {
  expect(answer.status).toBe(429);
  expect(answer.body.error?.code).toBe("BUNTIME_ERR_AUTH_RATE_LIMITED");
  expect(answer.body.error?.message).toBe(
    `too many failed sign-ins for ${subject}; retry in ${answer.retryAfter} s`,
  );
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
  expect(answer.cookies).toEqual([]);
}

async function startLimited() {
  const started = await startAuth({ listen: true, config: { loginAttempts: 3, loginWindow: "1m" } });
  const admin = await signIn(started.kernel);
  const created = await started.kernel.fetch(
    "/auth/api/users",
    json("POST", { username: "bob", password: "bobs password" }, { cookie: admin }),
  );
  expect(created.status).toBe(201);
  return { ...started, url: started.kernel.url as URL };
}

describe("failed sign-ins", () => {
  it(
    "for one account from many addresses lock that account's sign-in, and only that",
    async () => {
      const { url, kernel, adminToken } = await startLimited();
      const session = await signIn(kernel);
      for (const from of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
        expect((await signInFrom(url, from, "admin", "a guess")).status).toBe(401);
      }
      // the right password, from an address that never failed: the account is limited
      expectLimited(await signInFrom(url, "127.0.0.5", "admin", ADMIN_PASSWORD), "account admin");
      // what already proves the account (its sessions, tokens) goes on working
      const me = await kernel.fetch("/auth/me", { headers: { cookie: session } });
      expect((await me.json()).user.username).toBe("admin");
      const token = await kernel.fetch("/auth/api/users", {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(token.status).toBe(200);
      // the address is not: another account signs in from it
      const bob = await signInFrom(url, "127.0.0.5", "bob", "bobs password");
      expect(bob.status).toBe(200);
      expect(bob.cookies).toHaveLength(1);
    },
    HASHING,
  );

  it(
    "for many accounts from one address limit that address, and only that address",
    async () => {
      const { url, kernel } = await startLimited();
      for (const account of ["carol", "dave", "erin"]) {
        expect((await signInFrom(url, "127.0.0.6", account, "a guess")).status).toBe(401);
      }
      expectLimited(await signInFrom(url, "127.0.0.6", "bob", "bobs password"), "address 127.0.0.6");
      // no account was limited by it: bob signs in from elsewhere, and his session works
      const bob = await signInFrom(url, "127.0.0.7", "bob", "bobs password");
      expect(bob.status).toBe(200);
      const me = await kernel.fetch("/auth/me", {
        headers: { cookie: (bob.cookies[0] as string).split(";")[0] as string },
      });
      expect((await me.json()).user.username).toBe("bob");
    },
    HASHING,
  );

  it(
    "below the limit never refuse the right password, and successes are never counted",
    async () => {
      const { url } = await startLimited();
      expect((await signInFrom(url, "127.0.0.8", "bob", "a guess")).status).toBe(401);
      expect((await signInFrom(url, "127.0.0.8", "bob", "a guess")).status).toBe(401);
      expect((await signInFrom(url, "127.0.0.8", "bob", "bobs password")).status).toBe(200);
      for (let i = 0; i < 5; i++) {
        expect((await signInFrom(url, "127.0.0.9", "admin", ADMIN_PASSWORD)).status).toBe(200);
      }
    },
    HASHING,
  );

  it(
    "refuse the sign-in form past the limit too, with Retry-After on the page",
    async () => {
      const { kernel } = await startAuth({ config: { loginAttempts: 1 } });
      const form = (password: string) =>
        kernel.fetch("/auth/login", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ username: "admin", password }),
        });
      expect((await form("a guess")).status).toBe(401);
      const refused = await form(ADMIN_PASSWORD);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.text()).toContain("too many failed sign-ins for address unknown; retry in");
      expect(refused.headers.getSetCookie()).toEqual([]);
      expect(() => cookieOf(refused)).toThrow();
    },
    HASHING,
  );

  it(
    "count the kernel's client address: x-forwarded-for only from a proxy its trustProxy names",
    async () => {
      const attempt = (url: URL, ip: string, username: string) =>
        fetch(
          new URL("/auth/login", url),
          json("POST", { username, password: "a guess" }, { "x-forwarded-for": ip }),
        ).then(async (response) => ({ status: response.status, error: await response.json() }));
      const config = { loginAttempts: 2 };
      // by default the header is a client's word: all three come from 127.0.0.1
      const direct = await startAuth({ listen: true, config });
      const at = direct.kernel.url as URL;
      expect((await attempt(at, "10.0.0.1", "carol")).status).toBe(401);
      expect((await attempt(at, "10.0.0.2", "dave")).status).toBe(401);
      expect((await attempt(at, "10.0.0.3", "erin")).error.error.message).toStartWith(
        "too many failed sign-ins for address 127.0.0.1;",
      );
      // behind a proxy on 127.0.0.1 that the kernel trusts, the address it names counts
      const proxied = await startAuth({
        listen: true,
        config,
        kernel: { trustProxy: { proxies: ["127.0.0.1"] } },
      });
      const via = proxied.kernel.url as URL;
      expect((await attempt(via, "10.0.0.1", "carol")).status).toBe(401);
      expect((await attempt(via, "10.0.0.1", "dave")).status).toBe(401);
      expect((await attempt(via, "10.0.0.1", "erin")).error.error.message).toStartWith(
        "too many failed sign-ins for address 10.0.0.1;",
      );
      expect((await attempt(via, "10.0.0.2", "frank")).status).toBe(401);
    },
    HASHING,
  );

  it("refuse the old clientIpHeader setting at start, pointing at trustProxy", async () => {
    await expect(startAuth({ config: { clientIpHeader: "x-forwarded-for" } })).rejects.toThrow(
      "no longer read: set the kernel's trustProxy instead",
    );
  });
});
