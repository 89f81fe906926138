/**
 * JWT bearer verification on `jose`: HS256 against a shared secret, RS256/ES256 against a JWKS
 * read from a URL (cached, fetched again when a token names an unknown key, not too often) or a
 * file. `exp` is required unless configured otherwise, with a clock-skew leeway; `iss` and `aud`
 * are checked when configured. The token's `sub` is the username; its roles come from a
 * configurable claim. (`JwksCache`, hono-based, still serves the OpenID Connect client.)
 */
import { readFile } from "node:fs/promises";
import { BuntimeError } from "@buntime/sdk";
import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import type { z } from "zod";
import type { jwtConfigSchema } from "./config.ts";
import type { User } from "./users.ts";

type JwtConfig = z.output<typeof jwtConfigSchema>;

const JWKS_TTL_MS = 5 * 60_000;
const JWKS_REFRESH_MIN_MS = 10_000;

/** Reads roles from a claim that is an array of strings or a space-separated string. */
export function rolesFromClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === "string");
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  return [];
}

/** Loads and caches a JWKS, from a URL or a file. */
export class JwksCache {
  private keys: HonoJsonWebKey[] | undefined;
  private fetchedAt = 0;

  constructor(private readonly source: { url?: string; file?: string }) {}

  private async load(): Promise<HonoJsonWebKey[]> {
    const text = this.source.url
      ? await fetch(this.source.url, { signal: AbortSignal.timeout(5_000) }).then((response) => {
          if (!response.ok) throw new Error(`${this.source.url} answered ${response.status}`);
          return response.text();
        })
      : await readFile(this.source.file as string, "utf8");
    const parsed = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(parsed.keys)) throw new Error("the JWKS has no keys array");
    return parsed.keys as HonoJsonWebKey[];
  }

  /** The keys, fetched again when stale or when `kid` is missing from them (not too often). */
  async keysFor(kid: string | undefined): Promise<HonoJsonWebKey[]> {
    const age = Date.now() - this.fetchedAt;
    const unknownKid = kid !== undefined && !this.keys?.some((key) => key.kid === kid);
    if (!this.keys || age > JWKS_TTL_MS || (unknownKid && age > JWKS_REFRESH_MIN_MS)) {
      this.keys = await this.load();
      this.fetchedAt = Date.now();
    }
    return this.keys;
  }
}

/** Verifies bearer JWTs according to the `jwt` settings. */
export class JwtVerifier {
  readonly #secret: Uint8Array | undefined;
  readonly #jwks: JWTVerifyGetKey | undefined;

  constructor(private readonly config: JwtConfig) {
    this.#secret = config.secret === undefined ? undefined : new TextEncoder().encode(config.secret);
    if (config.jwksUrl) {
      this.#jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
        timeoutDuration: 5_000,
        cooldownDuration: JWKS_REFRESH_MIN_MS,
        cacheMaxAge: JWKS_TTL_MS,
      });
    } else if (config.jwksFile) {
      const file = new JwksCache({ file: config.jwksFile });
      this.#jwks = async (header, token) =>
        createLocalJWKSet({ keys: (await file.keysFor(header.kid)) as never })(header, token);
    }
  }

  /** The user a valid token names; throws `BUNTIME_ERR_AUTH_TOKEN_INVALID` otherwise (never echoing the token). */
  async verify(token: string): Promise<User> {
    const options = {
      issuer: this.config.issuer,
      audience: this.config.audience,
      requiredClaims: this.config.requireExp ? ["exp", "sub"] : ["sub"],
      clockTolerance: Math.round(this.config.clockSkew / 1000),
    };
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === "HS256") {
        if (!this.#secret) throw new Error("HS256 tokens are not accepted (no secret configured)");
        payload = (await jwtVerify(token, this.#secret, { ...options, algorithms: ["HS256"] })).payload;
      } else {
        if (!this.#jwks) throw new Error(`${alg} tokens are not accepted (no JWKS configured)`);
        payload = (await jwtVerify(token, this.#jwks, { ...options, algorithms: ["RS256", "ES256"] }))
          .payload;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new BuntimeError("BUNTIME_ERR_AUTH_TOKEN_INVALID", { reason }, { cause: error });
    }
    if (typeof payload.sub !== "string" || payload.sub.length === 0) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_TOKEN_INVALID", { reason: "the token has no sub claim" });
    }
    return { username: payload.sub, roles: rolesFromClaim(payload[this.config.rolesClaim]), via: "jwt" };
  }
}
