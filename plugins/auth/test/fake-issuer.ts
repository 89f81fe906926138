/**
 * A small OpenID Connect issuer for the tests, on 127.0.0.1: discovery, a token endpoint that
 * checks the client and PKCE, and a JWKS; ID tokens are signed with a key `jose` generated. Each
 * approval can twist the token it will issue (another issuer, a past `exp`, a replayed nonce, a
 * foreign key, an unverified e-mail) to see the plugin refuse it.
 */
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

/** How the ID token of one approval differs from a good one. */
export interface Twist {
  /** `email_verified` (true unless given). */
  readonly verified?: boolean;
  /** A nonce other than the one the plugin sent. */
  readonly nonce?: string;
  /** Claims to set or replace (`exp`, `iss`, `aud`...); `undefined` removes one. */
  readonly claims?: Record<string, unknown>;
  /** Sign with a key that is not in the JWKS. */
  readonly foreignKey?: boolean;
}

interface Grant {
  readonly challenge: string;
  readonly nonce: string;
  readonly email: string;
  readonly twist: Twist;
}

const stops: (() => void)[] = [];

/** Stops the issuers the test started; register it with `afterEach`. */
export function stopIssuers(): void {
  for (const stop of stops.splice(0)) stop();
}

/** Starts an issuer that expects `clientId`; `discoveredIssuer` is the issuer its document names. */
export async function fakeIssuer(clientId: string, options: { discoveredIssuer?: string } = {}) {
  const key = await generateKeyPair("ES256");
  const foreign = await generateKeyPair("ES256");
  const publicJwk = { ...(await exportJWK(key.publicKey)), kid: "issuer-key", alg: "ES256", use: "sig" };
  const grants = new Map<string, Grant>();

  async function idToken(issuer: string, grant: Grant): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: issuer,
      aud: clientId,
      sub: `sub-${grant.email}`,
      iat: now,
      exp: now + 600,
      email: grant.email,
      email_verified: grant.twist.verified ?? true,
      nonce: grant.nonce,
    };
    for (const [name, value] of Object.entries(grant.twist.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    const signer = grant.twist.foreignKey ? foreign.privateKey : key.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "issuer-key" }).sign(signer);
  }

  async function token(request: Request, issuer: string): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const code = form.get("code") ?? "";
    const grant = grants.get(code);
    const challenge = new Bun.CryptoHasher("sha256")
      .update(form.get("code_verifier") ?? "")
      .digest("base64url");
    if (!grant || form.get("client_id") !== clientId || challenge !== grant.challenge) {
      return Response.json({ error: "invalid_grant" }, { status: 400 });
    }
    grants.delete(code);
    return Response.json({
      access_token: crypto.randomUUID(),
      token_type: "Bearer",
      expires_in: 600,
      id_token: await idToken(issuer, grant),
    });
  }

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
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["ES256"],
        });
      }
      if (url.pathname === "/jwks") return Response.json({ keys: [publicJwk] });
      if (url.pathname === "/token" && request.method === "POST") return token(request, issuer);
      return new Response("not found", { status: 404 });
    },
  });
  stops.push(() => server.stop(true));
  return {
    url: server.url.href.replace(/\/$/, ""),
    /**
     * What the issuer's sign-in page would do: approve `email` for the attempt that sent the
     * browser to `authorizeUrl`; returns the callback path the browser is sent back to.
     */
    approve(authorizeUrl: string, email: string, twist: Twist = {}): string {
      const code = crypto.randomUUID();
      const params = new URL(authorizeUrl).searchParams;
      grants.set(code, {
        challenge: params.get("code_challenge") ?? "",
        nonce: twist.nonce ?? params.get("nonce") ?? "",
        email,
        twist,
      });
      return `/auth/oidc/callback?code=${code}&state=${params.get("state")}`;
    },
  };
}
