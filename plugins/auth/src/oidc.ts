/**
 * OpenID Connect sign-in (authorization code flow with PKCE) on `oauth4webapi`: discovery from
 * the issuer (the document must name the configured issuer), the redirect to its authorization
 * endpoint with PKCE, state and nonce, and the callback that trades the code for an ID token. The
 * ID token must carry `iss`, `aud`, `exp`, `iat`, `sub` and the nonce we sent, its times are
 * checked with the `clockSkew` leeway, and its signature against the issuer's JWKS. An e-mail
 * address the issuer has not verified never earns the admin role.
 */
import { BuntimeError } from "@buntime/sdk";
import * as oauth from "oauth4webapi";
import type { z } from "zod";
import type { oidcConfigSchema } from "./config.ts";
import type { AuthKv } from "./kv.ts";
import { describeOidcError } from "./oidc-errors.ts";

type OidcConfig = z.output<typeof oidcConfigSchema>;

interface PendingLogin {
  readonly verifier: string;
  readonly nonce: string;
  readonly next: string;
  readonly redirectUri: string;
}

const PENDING_TTL_MS = 10 * 60_000;
const HTTP_TIMEOUT_MS = 10_000;

/** Who signed in: the username claim and whether the settings make them an admin. */
export interface OidcIdentity {
  readonly username: string;
  readonly admin: boolean;
  /** False when the name is an e-mail address the issuer has not verified (`email_verified`). */
  readonly verified: boolean;
  readonly next: string;
}

/** Runs the two halves of an OpenID Connect sign-in. */
export class OidcClient {
  private server: Promise<oauth.AuthorizationServer> | undefined;
  private readonly issuer: URL;
  private readonly client: oauth.Client;
  private readonly clientAuth: oauth.ClientAuth;
  /** Options of every request to the issuer; plain http only for a loopback issuer (config checks). */
  private readonly http: oauth.HttpRequestOptions<"GET" | "POST", unknown>;

  constructor(
    private readonly config: OidcConfig,
    private readonly kv: AuthKv,
  ) {
    this.issuer = new URL(config.issuer);
    this.client = {
      client_id: config.clientId,
      [oauth.clockTolerance]: Math.round(config.clockSkew / 1000),
    };
    this.clientAuth = config.clientSecret ? oauth.ClientSecretPost(config.clientSecret) : oauth.None();
    this.http = {
      [oauth.allowInsecureRequests]: this.issuer.protocol === "http:",
      signal: () => AbortSignal.timeout(HTTP_TIMEOUT_MS),
    };
  }

  private fail(details: string, cause?: unknown): BuntimeError {
    return new BuntimeError(
      "BUNTIME_ERR_AUTH_OIDC_FAILED",
      { issuer: this.config.issuer, details },
      { cause },
    );
  }

  /** Runs `step`, turning whatever oauth4webapi or fetch throws into our coded error. */
  private async step<T>(step: () => Promise<T> | T): Promise<T> {
    try {
      return await step();
    } catch (error) {
      throw error instanceof BuntimeError ? error : this.fail(describeOidcError(error), error);
    }
  }

  private discover(): Promise<oauth.AuthorizationServer> {
    this.server ??= this.step(async () => {
      const response = await oauth.discoveryRequest(this.issuer, { ...this.http, algorithm: "oidc" });
      // OpenID Connect Discovery 4.3: the document must be the configured issuer's own
      const found = await oauth.processDiscoveryResponse(this.issuer, response);
      if (found.authorization_endpoint === undefined || found.token_endpoint === undefined) {
        throw this.fail("the discovery document has no authorization_endpoint or token_endpoint");
      }
      return found;
    }).catch((error) => {
      this.server = undefined; // try again on the next sign-in
      throw error;
    });
    return this.server;
  }

  /** The URL of the issuer's sign-in page for this attempt; `next` is where to land afterwards. */
  async authorizationUrl(requestUrl: URL, next: string): Promise<string> {
    const server = await this.discover();
    const state = oauth.generateRandomState();
    const pending: PendingLogin = {
      verifier: oauth.generateRandomCodeVerifier(),
      nonce: oauth.generateRandomNonce(),
      next,
      redirectUri: this.config.redirectUri ?? `${requestUrl.origin}/auth/oidc/callback`,
    };
    await this.kv.set(`oidc/${state}`, pending, { ttl: PENDING_TTL_MS });
    const url = new URL(server.authorization_endpoint as string);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: this.config.clientId,
      redirect_uri: pending.redirectUri,
      scope: this.config.scopes.join(" "),
      state,
      nonce: pending.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
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

  /** Finishes a sign-in from the query of the callback (`code`, `state`, maybe `iss`). */
  async complete(callback: URLSearchParams): Promise<OidcIdentity> {
    const state = callback.get("state") ?? "";
    const entry = await this.kv.get<PendingLogin>(`oidc/${state}`);
    if (!entry) throw this.fail("unknown or expired state (start the sign-in again)");
    await this.kv.delete(`oidc/${state}`); // one use: a replayed callback finds no state
    const pending = entry.value;
    const server = await this.discover();
    const claims = await this.step(async () => {
      const params = oauth.validateAuthResponse(server, this.client, callback, state);
      const response = await oauth.authorizationCodeGrantRequest(
        server,
        this.client,
        this.clientAuth,
        params,
        pending.redirectUri,
        pending.verifier,
        this.http,
      );
      const result = await oauth.processAuthorizationCodeResponse(server, this.client, response, {
        expectedNonce: pending.nonce,
        requireIdToken: true,
      });
      // the token came straight from the issuer, and its signature is checked all the same
      await oauth.validateApplicationLevelSignature(server, response, this.http);
      return oauth.getValidatedIdTokenClaims(result) as oauth.IDToken;
    });
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
