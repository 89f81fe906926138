import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyPair, signToken } from "./keys.ts";
import { errorOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

const SECRET = "a shared secret of some length";
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe("API keys", () => {
  it(
    "are created once, listed without the key, act as their owner, and stop working when revoked",
    async () => {
      const { kernel } = await startAuth({ config: { protectedPaths: ["/echo/*"] } });
      const cookie = await signIn(kernel);
      const created = await kernel.fetch("/auth/api/keys", json("POST", { name: "ci" }, { cookie }));
      expect(created.status).toBe(201);
      const { id, key, name } = (await created.json()) as { id: string; key: string; name: string };
      expect(key).toMatch(/^bak_[\w-]{40,}$/);
      expect(name).toBe("ci");

      const list = (await (await kernel.fetch("/auth/api/keys", { headers: { cookie } })).json()) as {
        keys: unknown[];
      };
      expect(list.keys).toEqual([{ id, name: "ci", username: "admin", createdAt: expect.any(Number) }]);
      expect(JSON.stringify(list)).not.toContain(key);

      const authorization = `Bearer ${key}`;
      const echo = await kernel.fetch("/echo/x", { headers: { authorization } });
      expect(await echo.json()).toEqual({ path: "/echo/x", user: "admin", roles: "admin" });

      const revoked = await kernel.fetch(`/auth/api/keys/${id}`, { method: "DELETE", headers: { cookie } });
      expect(revoked.status).toBe(204);
      const after = await kernel.fetch("/echo/x", { headers: { authorization } });
      expect(after.status).toBe(401);
      expect(await errorOf(after)).toEqual({
        code: "BUNTIME_ERR_AUTH_TOKEN_INVALID",
        message: "invalid bearer token: unknown or revoked API key",
      });
      const twice = await kernel.fetch(`/auth/api/keys/${id}`, { method: "DELETE", headers: { cookie } });
      expect(twice.status).toBe(404);
    },
    HASHING,
  );

  it(
    "of an admin may install plugins through the kernel API",
    async () => {
      const { kernel } = await startAuth();
      const cookie = await signIn(kernel);
      const { key } = (await (
        await kernel.fetch("/auth/api/keys", json("POST", { name: "cli" }, { cookie }))
      ).json()) as {
        key: string;
      };
      const response = await kernel.fetch(
        "/_/api/plugins",
        json("POST", {}, { authorization: `Bearer ${key}` }),
      );
      expect(response.status).toBe(400); // past both guards: the kernel read the (empty) body
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_BAD_REQUEST");
    },
    HASHING,
  );

  it(
    "are not made for the kernel's admin token, which is no user",
    async () => {
      const { kernel, adminToken } = await startAuth();
      const response = await kernel.fetch(
        "/auth/api/keys",
        json("POST", { name: "ci" }, { authorization: `Bearer ${adminToken}` }),
      );
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toEqual({
        code: "BUNTIME_ERR_AUTH_REQUEST_INVALID",
        message: "invalid auth request: API keys belong to users; sign in as one to create them",
      });
    },
    HASHING,
  );
});

describe("JWT bearer tokens", () => {
  it(
    "are accepted with HS256 and the configured secret, naming user and roles",
    async () => {
      const { kernel } = await startAuth({
        config: { protectedPaths: ["/echo/*"], jwt: { secret: SECRET } },
      });
      const token = await signToken({ sub: "svc-reports", roles: ["reader", "writer"] }, SECRET);
      const response = await kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${token}` } });
      expect(await response.json()).toEqual({ path: "/echo/r", user: "svc-reports", roles: "reader,writer" });
    },
    HASHING,
  );

  it(
    "are refused when signed with another secret, expired, or from the wrong issuer",
    async () => {
      const { kernel } = await startAuth({
        config: { protectedPaths: ["/echo/*"], jwt: { secret: SECRET, issuer: "https://id.example" } },
      });
      const cases = [
        await signToken({ sub: "x", iss: "https://id.example" }, "another secret of some length"),
        await signToken(
          { sub: "x", iss: "https://id.example", exp: Math.floor(Date.now() / 1000) - 60 },
          SECRET,
        ),
        await signToken({ sub: "x", iss: "https://other.example" }, SECRET),
      ];
      for (const token of cases) {
        const response = await kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${token}` } });
        expect(response.status).toBe(401);
        const error = await errorOf(response);
        expect(error.code).toBe("BUNTIME_ERR_AUTH_TOKEN_INVALID");
        expect(error.message.startsWith("invalid bearer token: ")).toBe(true);
      }
    },
    HASHING,
  );

  it(
    "are verified with RS256 against a JWKS file",
    async () => {
      const key = await keyPair("RS256", "file-key");
      const dir = mkdtempSync(join(tmpdir(), "auth-jwks-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [key.publicJwk] }));
      const { kernel } = await startAuth({
        config: {
          protectedPaths: ["/echo/*"],
          jwt: { jwksFile: join(dir, "jwks.json"), audience: "buntime" },
        },
      });
      const good = await signToken({ sub: "rsa-user", aud: "buntime", roles: "ops" }, key);
      const response = await kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${good}` } });
      expect(await response.json()).toEqual({ path: "/echo/r", user: "rsa-user", roles: "ops" });
      const otherAudience = await signToken({ sub: "rsa-user", aud: "elsewhere" }, key);
      expect(
        (await kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${otherAudience}` } })).status,
      ).toBe(401);
      const stranger = await signToken({ sub: "x", aud: "buntime" }, await keyPair("RS256", "file-key"));
      expect(
        (await kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${stranger}` } })).status,
      ).toBe(401);
    },
    HASHING,
  );

  it(
    "are verified with ES256 against a JWKS URL, fetched once rather than for every unknown key",
    async () => {
      const first = await keyPair("ES256", "k1");
      const second = await keyPair("ES256", "k2");
      let published = [first.publicJwk];
      let fetches = 0;
      const jwks = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: () => {
          fetches++;
          return Response.json({ keys: published });
        },
      });
      cleanups.push(() => jwks.stop(true));
      const { kernel } = await startAuth({
        config: { protectedPaths: ["/echo/*"], jwt: { jwksUrl: new URL("/jwks", jwks.url).href } },
      });
      const call = async (token: string) =>
        (await kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${token}` } })).status;
      const token = await signToken({ sub: "ec-user" }, first);
      expect(await call(token)).toBe(200);
      expect(await call(token)).toBe(200);
      expect(fetches).toBe(1);
      // a token from a key the kernel has not seen, before the minimum refresh interval: refused
      published = [first.publicJwk, second.publicJwk];
      expect(await call(await signToken({ sub: "ec-user" }, second))).toBe(401);
      expect(fetches).toBe(1);
    },
    HASHING,
  );

  it(
    "with an algorithm nobody configured are refused",
    async () => {
      const { kernel } = await startAuth({
        config: { protectedPaths: ["/echo/*"], jwt: { secret: SECRET } },
      });
      const token = await signToken({ sub: "x" }, await keyPair("ES256", "k"));
      const response = await kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${token}` } });
      expect(await errorOf(response)).toEqual({
        code: "BUNTIME_ERR_AUTH_TOKEN_INVALID",
        message: "invalid bearer token: ES256 tokens are not accepted (no JWKS configured)",
      });
    },
    HASHING,
  );

  it(
    "need an exp (unless requireExp is false), with a clock-skew leeway, and 401s never echo the token",
    async () => {
      const now = Math.floor(Date.now() / 1000);
      const strict = await startAuth({ config: { protectedPaths: ["/echo/*"], jwt: { secret: SECRET } } });
      const call = async (kernel: typeof strict.kernel, token: string) =>
        kernel.fetch("/echo/r", { headers: { authorization: `Bearer ${token}` } });
      const forever = await signToken({ sub: "x", exp: undefined }, SECRET);
      const refused = await call(strict.kernel, forever);
      const body = await refused.text();
      expect(refused.status).toBe(401);
      expect(JSON.parse(body).error.message).toBe('invalid bearer token: missing required "exp" claim');
      expect(body).not.toContain(forever.split(".")[1] as string);
      // 20 s past exp is within the default 30 s leeway; 60 s is not
      expect((await call(strict.kernel, await signToken({ sub: "x", exp: now - 20 }, SECRET))).status).toBe(
        200,
      );
      expect((await call(strict.kernel, await signToken({ sub: "x", exp: now - 60 }, SECRET))).status).toBe(
        401,
      );
      const lenient = await startAuth({
        config: { protectedPaths: ["/echo/*"], jwt: { secret: SECRET, requireExp: false, clockSkew: "0s" } },
      });
      expect((await call(lenient.kernel, forever)).status).toBe(200);
      expect((await call(lenient.kernel, await signToken({ sub: "x", exp: now - 20 }, SECRET))).status).toBe(
        401,
      );
    },
    HASHING,
  );
});
