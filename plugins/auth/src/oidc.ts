/**
 * OpenID Connect sign-in (authorization code flow with PKCE): discovery from the issuer, the
 * redirect to its authorization endpoint, and the callback that trades the code for an ID token,
 * verifies it with `jose` against the issuer's JWKS (issuer, audience, expiry, nonce) and names
 * the user. The discovery document must name the configured issuer, and an e-mail address the
 * issuer has not verified never earns the admin role.
 */
import { BuntimeError } from "@buntime/sdk";
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { z } from "zod";
import type { oidcConfigSchema } from "./config.ts";
import { randomToken } from "./digest.ts";
import type { AuthKv } from "./kv.ts";

type OidcConfig = z.output<typeof oidcConfigSchema>;

interface Discovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
}

interface PendingLogin {
  readonly verifier: string;
  readonly nonce: string;
  readonly next: string;
  readonly redirectUri: string;
}

const PENDING_TTL_MS = 10 * 60_000;

/** Who signed in: the username claim and whether the settings make them an admin. */
export interface OidcIdentity {
  readonly username: string;
  readonly admin: boolean;
  /** False when the name is an e-mail address the issuer has not verified (`email_verified`). */
  readonly verified: boolean;
  readonly next: string;
}

function withoutSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

function challengeOf(verifier: string): string {
  return new Bun.CryptoHasher("sha256").update(verifier).digest("base64url");
}

/** Runs the two halves of an OpenID Connect sign-in. */
export class OidcClient {
  private discovery: Promise<Discovery> | undefined;
  private jwks: JWTVerifyGetKey | undefined;

  constructor(
    private readonly config: OidcConfig,
    private readonly kv: AuthKv,
  ) {}

  private fail(details: string, cause?: unknown): BuntimeError {
    return new BuntimeError(
      "BUNTIME_ERR_AUTH_OIDC_FAILED",
      { issuer: this.config.issuer, details },
      { cause },
    );
  }

  private discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const url = `${this.config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const found = (await response.json()) as Discovery;
      for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
        if (typeof found[field] !== "string") throw new Error(`the discovery document has no ${field}`);
      }
      // OpenID Connect Discovery 4.3: the document must be the configured issuer's own
      if (withoutSlash(String(found.issuer)) !== withoutSlash(this.config.issuer)) {
        throw new Error(
          `the discovery document names issuer ${String(found.issuer)}, not ${this.config.issuer}`,
        );
      }
      this.jwks = createRemoteJWKSet(new URL(found.jwks_uri), { timeoutDuration: 5_000 });
      return found;
    })().catch((error) => {
      this.discovery = undefined; // try again on the next sign-in
      throw this.fail(error instanceof Error ? error.message : String(error), error);
    });
    return this.discovery;
  }

  /** The URL of the issuer's sign-in page for this attempt; `next` is where to land afterwards. */
  async authorizationUrl(requestUrl: URL, next: string): Promise<string> {
    const discovery = await this.discover();
    const state = randomToken();
    const pending: PendingLogin = {
      verifier: randomToken(),
      nonce: randomToken(16),
      next,
      redirectUri: this.config.redirectUri ?? `${requestUrl.origin}/auth/oidc/callback`,
    };
    await this.kv.set(`oidc/${state}`, pending, { ttl: PENDING_TTL_MS });
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: this.config.clientId,
      redirect_uri: pending.redirectUri,
      scope: this.config.scopes.join(" "),
      state,
      nonce: pending.nonce,
      code_challenge: challengeOf(pending.verifier),
      code_challenge_method: "S256",
    }).toString();
    return url.href;
  }

  /** The error for an unverified address that names an admin. */
  unverifiedAdmin(username: string): BuntimeError {
    return this.fail(
      `${username} names an admin, and the issuer has not verified that address (email_verified)`,
    );
  }

  /** Finishes a sign-in from the callback's `code` and `state`. */
  async complete(code: string, state: string): Promise<OidcIdentity> {
    const entry = await this.kv.get<PendingLogin>(`oidc/${state}`);
    if (!entry) throw this.fail("unknown or expired state (start the sign-in again)");
    await this.kv.delete(`oidc/${state}`);
    const pending = entry.value;
    const discovery = await this.discover();
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: pending.redirectUri,
      client_id: this.config.clientId,
      code_verifier: pending.verifier,
    });
    if (this.config.clientSecret) form.set("client_secret", this.config.clientSecret);
    let tokens: { id_token?: unknown };
    try {
      const response = await fetch(discovery.token_endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form,
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
      tokens = (await response.json()) as { id_token?: unknown };
    } catch (error) {
      throw this.fail(error instanceof Error ? error.message : String(error), error);
    }
    if (typeof tokens.id_token !== "string") throw this.fail("the token endpoint sent no id_token");
    let claims: Record<string, unknown>;
    try {
      const verified = await jwtVerify(tokens.id_token, this.jwks as JWTVerifyGetKey, {
        issuer: discovery.issuer,
        audience: this.config.clientId,
        algorithms: ["RS256", "ES256"],
        requiredClaims: ["exp", "sub"],
        clockTolerance: 30,
      });
      claims = verified.payload;
    } catch (error) {
      throw this.fail(`invalid id_token: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (claims.nonce !== pending.nonce) throw this.fail("the id_token's nonce does not match");
    const named = claims[this.config.usernameClaim] ?? claims.sub;
    if (typeof named !== "string" || named.length === 0) throw this.fail("the id_token names no user");
    // anyone can claim an address at some issuers: only a verified one may be an admin's
    const unverifiedEmail = named === claims.email && claims.email_verified !== true;
    return {
      username: named,
      admin: this.config.admins.includes(named),
      verified: !unverifiedEmail,
      next: pending.next,
    };
  }
}
