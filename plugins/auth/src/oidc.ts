/**
 * OpenID Connect sign-in (authorization code flow with PKCE): discovery from the issuer, the
 * redirect to its authorization endpoint, and the callback that trades the code for an ID token,
 * verifies it against the issuer's JWKS (issuer, audience, nonce) and names the user.
 */
import { BuntimeError } from "@buntime/sdk";
import { Jwt } from "hono/utils/jwt";
import type { z } from "zod";
import type { oidcConfigSchema } from "./config.ts";
import { randomToken } from "./digest.ts";
import { JwksCache } from "./jwt-verifier.ts";
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
  readonly next: string;
}

function challengeOf(verifier: string): string {
  return new Bun.CryptoHasher("sha256").update(verifier).digest("base64url");
}

/** Runs the two halves of an OpenID Connect sign-in. */
export class OidcClient {
  private discovery: Promise<Discovery> | undefined;
  private jwks: JwksCache | undefined;

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
      this.jwks = new JwksCache({ url: found.jwks_uri });
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
      const { header } = Jwt.decode(tokens.id_token);
      claims = await Jwt.verifyWithJwks(tokens.id_token, {
        keys: await (this.jwks as JwksCache).keysFor(header.kid),
        verification: { iss: discovery.issuer, aud: this.config.clientId },
        allowedAlgorithms: ["RS256", "ES256"],
      });
    } catch (error) {
      throw this.fail(`invalid id_token: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (claims.nonce !== pending.nonce) throw this.fail("the id_token's nonce does not match");
    const named = claims[this.config.usernameClaim] ?? claims.sub;
    if (typeof named !== "string" || named.length === 0) throw this.fail("the id_token names no user");
    return { username: named, admin: this.config.admins.includes(named), next: pending.next };
  }
}
