import { afterEach, describe, expect, it } from "bun:test";
import { fakeIssuer, stopIssuers, type Twist } from "./fake-issuer.ts";
import { cookieOf, errorOf, HASHING, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);
afterEach(stopIssuers);

async function startWithIssuer(settings: Record<string, unknown> = {}) {
  const issuer = await fakeIssuer("buntime-test");
  const { kernel, adminToken } = await startAuth({
    config: {
      oidc: { issuer: issuer.url, clientId: "buntime-test", admins: ["ada@example.test"], ...settings },
    },
  });
  /** The names of the users the plugin knows, as the admin API lists them. */
  const userNames = async () => {
    const listed = await kernel.fetch("/auth/api/users", {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    return ((await listed.json()) as { users: { username: string }[] }).users.map((user) => user.username);
  };
  /** A whole sign-in as `email`, the issuer twisting its ID token by `twist`. */
  const signInAs = async (email: string, twist?: Twist) => {
    const start = await kernel.fetch("/auth/oidc/login?next=/crm/");
    return kernel.fetch(issuer.approve(start.headers.get("location") as string, email, twist));
  };
  return { issuer, kernel, userNames, signInAs };
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
      expect(params.code_challenge?.length).toBe(43);
      expect(params.state?.length).toBeGreaterThan(20);
      expect(params.nonce?.length).toBeGreaterThan(20);
      expect(await (await kernel.fetch("/auth/login")).text()).toContain("/auth/oidc/login");
    },
    HASHING,
  );

  it(
    "signs the user in on the callback, with the admin role for configured admins",
    async () => {
      const { kernel, signInAs } = await startWithIssuer();
      const callback = await signInAs("ada@example.test");
      expect(callback.status).toBe(302);
      expect(callback.headers.get("location")).toBe("/crm/");
      const me = await kernel.fetch("/auth/me", { headers: { cookie: cookieOf(callback) } });
      expect((await me.json()).user).toEqual({
        username: "ada@example.test",
        roles: ["admin"],
        via: "session",
      });
      const plain = await signInAs("bob@example.test");
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
      expect(await errorOf(unknownCode)).toEqual({
        code: "BUNTIME_ERR_AUTH_OIDC_FAILED",
        message: `sign-in with ${issuer.url} failed: the token endpoint answered 400 (invalid_grant)`,
      });
    },
    HASHING,
  );

  // Each row: an ID token the issuer twists, and why the plugin refuses it. None signs anyone in.
  const now = () => Math.floor(Date.now() / 1000);
  const refusals: [string, Twist, (issuer: string) => string][] = [
    [
      "a nonce other than the one sent",
      { nonce: "replayed-nonce" },
      () => "the id_token's nonce does not match",
    ],
    [
      "another issuer",
      { claims: { iss: "https://evil.example" } },
      () => "the id_token names issuer https://evil.example",
    ],
    ["another client", { claims: { aud: "someone-else" } }, () => "the id_token is for another client (aud)"],
    [
      "an exp past the leeway",
      { claims: { exp: now() - 120 } },
      () => "the id_token has expired (leeway 30 s, oidc.clockSkew)",
    ],
    ["no exp", { claims: { exp: undefined } }, () => 'JWT "exp" (expiration time) claim missing'],
    ["a key not in the issuer's JWKS", { foreignKey: true }, () => "JWT signature verification failed"],
  ];
  for (const [name, twist, reason] of refusals) {
    it(
      `refuses an ID token with ${name}, and signs no one in`,
      async () => {
        const { issuer, userNames, signInAs } = await startWithIssuer();
        const callback = await signInAs("ada@example.test", twist);
        expect(callback.status).toBe(502);
        expect(await errorOf(callback)).toEqual({
          code: "BUNTIME_ERR_AUTH_OIDC_FAILED",
          message: `sign-in with ${issuer.url} failed: ${reason(issuer.url)}`,
        });
        expect(callback.headers.getSetCookie()).toEqual([]);
        expect(await userNames()).toEqual(["admin"]);
      },
      HASHING,
    );
  }

  it(
    "accepts an exp just past within oidc.clockSkew, and refuses it with no leeway",
    async () => {
      const late = { claims: { exp: now() - 10 } };
      const lenient = await startWithIssuer();
      expect((await lenient.signInAs("ada@example.test", late)).status).toBe(302);
      const strict = await startWithIssuer({ clockSkew: "0s" });
      const refused = await strict.signInAs("ada@example.test", late);
      expect((await errorOf(refused)).message).toEndWith(
        "the id_token has expired (leeway 0 s, oidc.clockSkew)",
      );
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
      const { issuer, userNames, signInAs, kernel } = await startWithIssuer();
      const refused = await signInAs("ada@example.test", { verified: false });
      expect(await errorOf(refused)).toEqual({
        code: "BUNTIME_ERR_AUTH_OIDC_FAILED",
        message: `sign-in with ${issuer.url} failed: ada@example.test names an admin, and the issuer has not verified that address (email_verified)`,
      });
      expect(refused.headers.getSetCookie()).toEqual([]);
      // an existing admin account cannot be taken over through an unverified address either
      expect((await signInAs("admin", { verified: false })).status).toBe(502);
      expect(await userNames()).toEqual(["admin"]);
      const bob = await signInAs("bob@example.test", { verified: false });
      const me = await kernel.fetch("/auth/me", { headers: { cookie: cookieOf(bob) } });
      expect((await me.json()).user).toEqual({ username: "bob@example.test", roles: [], via: "session" });
    },
    HASHING,
  );

  it(
    "refuses a discovery document that names another issuer, and sends no one to it",
    async () => {
      const issuer = await fakeIssuer("buntime-test", { discoveredIssuer: "https://evil.example" });
      const { kernel } = await startAuth({
        config: { oidc: { issuer: issuer.url, clientId: "buntime-test" } },
      });
      const response = await kernel.fetch("/auth/oidc/login");
      expect(response.headers.get("location")).toBeNull();
      expect(await errorOf(response)).toEqual({
        code: "BUNTIME_ERR_AUTH_OIDC_FAILED",
        message: `sign-in with ${issuer.url} failed: the discovery document names another issuer: https://evil.example`,
      });
    },
    HASHING,
  );

  it("refuses a plain-http issuer that is not on this machine, or no URL at all, at start", async () => {
    const start = (issuer: string) => startAuth({ config: { oidc: { issuer, clientId: "x" } } });
    await expect(start("http://idp.example")).rejects.toThrow(
      "oidc.issuer: expected an https URL (http only for 127.0.0.1, localhost or [::1])",
    );
    await expect(start("not a url")).rejects.toThrow("oidc.issuer: Invalid URL");
  });
});
