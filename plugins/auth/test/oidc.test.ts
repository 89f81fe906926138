import { afterEach, describe, expect, it } from "bun:test";
import { keyPair, signToken, type TestKeyPair } from "./keys.ts";
import { cookieOf, errorOf, HASHING, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

interface Grant {
  readonly challenge: string;
  readonly nonce: string;
  readonly email: string;
  readonly verified: boolean;
}

/** A tiny OpenID Connect issuer on loopback: discovery, token endpoint (PKCE checked) and JWKS. */
async function fakeIssuer(clientId: string, options: { discoveredIssuer?: string } = {}) {
  const key: TestKeyPair = await keyPair("ES256", "issuer-key");
  const grants = new Map<string, Grant>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const issuer = url.origin;
      if (url.pathname === "/.well-known/openid-configuration") {
        return Response.json({
          issuer: options.discoveredIssuer ?? issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
        });
      }
      if (url.pathname === "/jwks") return Response.json({ keys: [key.publicJwk] });
      if (url.pathname === "/token" && request.method === "POST") {
        const form = new URLSearchParams(await request.text());
        const grant = grants.get(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const challenge = new Bun.CryptoHasher("sha256").update(verifier).digest("base64url");
        if (!grant || form.get("client_id") !== clientId || challenge !== grant.challenge) {
          return Response.json({ error: "invalid_grant" }, { status: 400 });
        }
        grants.delete(form.get("code") ?? "");
        const claims = {
          iss: issuer,
          aud: clientId,
          sub: `sub-${grant.email}`,
          email: grant.email,
          email_verified: grant.verified,
          nonce: grant.nonce,
        };
        return Response.json({ id_token: await signToken(claims, key), token_type: "Bearer" });
      }
      return new Response("not found", { status: 404 });
    },
  });
  stops.push(() => server.stop(true));
  return {
    url: server.url.href.replace(/\/$/, ""),
    /** What the issuer's sign-in page would do: approve `email` (an ID token with `nonce`, if given). */
    approve(authorizeUrl: string, email: string, nonce?: string, verified = true) {
      const code = crypto.randomUUID();
      const params = new URL(authorizeUrl).searchParams;
      grants.set(code, {
        challenge: params.get("code_challenge") ?? "",
        nonce: nonce ?? params.get("nonce") ?? "",
        email,
        verified,
      });
      return `/auth/oidc/callback?code=${code}&state=${params.get("state")}`;
    },
  };
}

async function startWithIssuer() {
  const issuer = await fakeIssuer("buntime-test");
  const { kernel } = await startAuth({
    config: { oidc: { issuer: issuer.url, clientId: "buntime-test", admins: ["ada@example.test"] } },
  });
  return { issuer, kernel };
}

describe("OpenID Connect sign-in", () => {
  it(
    "sends the browser to the issuer with PKCE, state and nonce",
    async () => {
      const { issuer, kernel } = await startWithIssuer();
      const response = await kernel.fetch("/auth/oidc/login?next=/crm/");
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location") as string);
      expect(`${location.origin}${location.pathname}`).toBe(`${issuer.url}/authorize`);
      const params = Object.fromEntries(location.searchParams);
      expect(params).toMatchObject({
        response_type: "code",
        client_id: "buntime-test",
        redirect_uri: "http://localhost/auth/oidc/callback",
        scope: "openid profile email",
        code_challenge_method: "S256",
      });
      expect(params.state?.length).toBeGreaterThan(20);
      expect(params.nonce?.length).toBeGreaterThan(10);
      expect((await kernel.fetch("/auth/login")).status).toBe(200);
      expect(await (await kernel.fetch("/auth/login")).text()).toContain("/auth/oidc/login");
    },
    HASHING,
  );

  it(
    "signs the user in on the callback, with the admin role for configured admins",
    async () => {
      const { issuer, kernel } = await startWithIssuer();
      const start = await kernel.fetch("/auth/oidc/login?next=/crm/");
      const callback = await kernel.fetch(
        issuer.approve(start.headers.get("location") as string, "ada@example.test"),
      );
      expect(callback.status).toBe(302);
      expect(callback.headers.get("location")).toBe("/crm/");
      const me = await kernel.fetch("/auth/me", { headers: { cookie: cookieOf(callback) } });
      expect((await me.json()).user).toEqual({
        username: "ada@example.test",
        roles: ["admin"],
        via: "session",
      });

      const other = await kernel.fetch("/auth/oidc/login");
      const plain = await kernel.fetch(
        issuer.approve(other.headers.get("location") as string, "bob@example.test"),
      );
      const bob = await kernel.fetch("/auth/me", { headers: { cookie: cookieOf(plain) } });
      expect((await bob.json()).user).toEqual({ username: "bob@example.test", roles: [], via: "session" });
    },
    HASHING,
  );

  it(
    "refuses a replayed callback and an issuer that rejects the code",
    async () => {
      const { issuer, kernel } = await startWithIssuer();
      const start = await kernel.fetch("/auth/oidc/login");
      const callbackPath = issuer.approve(start.headers.get("location") as string, "ada@example.test");
      expect((await kernel.fetch(callbackPath)).status).toBe(302);
      const replay = await kernel.fetch(callbackPath);
      expect(replay.status).toBe(502);
      expect(await errorOf(replay)).toEqual({
        code: "BUNTIME_ERR_AUTH_OIDC_FAILED",
        message: `sign-in with ${issuer.url} failed: unknown or expired state (start the sign-in again)`,
      });
      const again = await kernel.fetch("/auth/oidc/login");
      const state = new URL(again.headers.get("location") as string).searchParams.get("state");
      const unknownCode = await kernel.fetch(`/auth/oidc/callback?code=made-up&state=${state}`);
      expect(unknownCode.status).toBe(502);
      expect((await errorOf(unknownCode)).message).toContain("the token endpoint answered 400");
    },
    HASHING,
  );

  it(
    "refuses an ID token whose nonce is not the one it sent",
    async () => {
      const { issuer, kernel } = await startWithIssuer();
      const start = await kernel.fetch("/auth/oidc/login");
      const location = start.headers.get("location") as string;
      const callback = await kernel.fetch(issuer.approve(location, "ada@example.test", "replayed-nonce"));
      expect(callback.status).toBe(502);
      expect((await errorOf(callback)).message).toBe(
        `sign-in with ${issuer.url} failed: the id_token's nonce does not match`,
      );
      expect(callback.headers.getSetCookie()).toEqual([]);
    },
    HASHING,
  );

  it(
    "reports an issuer that cannot be reached",
    async () => {
      const { kernel } = await startAuth({
        config: { oidc: { issuer: "http://127.0.0.1:9", clientId: "x" } },
      });
      const response = await kernel.fetch("/auth/oidc/login");
      expect(response.status).toBe(502);
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_AUTH_OIDC_FAILED");
    },
    HASHING,
  );

  it(
    "is not offered when not configured",
    async () => {
      const { kernel } = await startAuth();
      const response = await kernel.fetch("/auth/oidc/login");
      expect(await errorOf(response)).toEqual({
        code: "BUNTIME_ERR_AUTH_NOT_FOUND",
        message: "no sign-in method oidc",
      });
    },
    HASHING,
  );

  it(
    "never makes an unverified e-mail address an admin, and lets it in as a plain user",
    async () => {
      const { issuer, kernel } = await startWithIssuer();
      const start = await kernel.fetch("/auth/oidc/login");
      const location = start.headers.get("location") as string;
      const refused = await kernel.fetch(issuer.approve(location, "ada@example.test", undefined, false));
      expect(await errorOf(refused)).toEqual({
        code: "BUNTIME_ERR_AUTH_OIDC_FAILED",
        message: `sign-in with ${issuer.url} failed: ada@example.test names an admin, and the issuer has not verified that address (email_verified)`,
      });
      expect(refused.headers.getSetCookie()).toEqual([]);
      // an existing admin account cannot be taken over through an unverified address either
      const admin = await kernel.fetch("/auth/oidc/login");
      const asLocalAdmin = await kernel.fetch(
        issuer.approve(admin.headers.get("location") as string, "admin", undefined, false),
      );
      expect(asLocalAdmin.status).toBe(502);
      const plain = await kernel.fetch("/auth/oidc/login");
      const bob = await kernel.fetch(
        issuer.approve(plain.headers.get("location") as string, "bob@example.test", undefined, false),
      );
      const me = await kernel.fetch("/auth/me", { headers: { cookie: cookieOf(bob) } });
      expect((await me.json()).user).toEqual({ username: "bob@example.test", roles: [], via: "session" });
    },
    HASHING,
  );

  it(
    "refuses a discovery document that names another issuer",
    async () => {
      const issuer = await fakeIssuer("buntime-test", { discoveredIssuer: "https://evil.example" });
      const { kernel } = await startAuth({
        config: { oidc: { issuer: issuer.url, clientId: "buntime-test" } },
      });
      const response = await kernel.fetch("/auth/oidc/login");
      expect(await errorOf(response)).toEqual({
        code: "BUNTIME_ERR_AUTH_OIDC_FAILED",
        message: `sign-in with ${issuer.url} failed: the discovery document names issuer https://evil.example, not ${issuer.url}`,
      });
    },
    HASHING,
  );
});
