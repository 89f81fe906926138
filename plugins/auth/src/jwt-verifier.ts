/**
 * JWT bearer verification on `jose`: HS256 against a shared secret, RS256/ES256 against a JWKS
 * read from a URL (cached, fetched again when a token names an unknown key, not too often) or a
 * file. `exp` is required unless configured otherwise, with a clock-skew leeway; `iss` and `aud`
 * are checked when configured. The token's `sub` is the username; its roles come from a
 * configurable claim.
 */
import { readFile } from "node:fs/promises";
import { BuntimeError } from "@buntime/sdk";
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

/**
 * The keys of a JWKS file, read again once older than the cache lifetime (so a rotated file is
 * picked up without a restart); jose looks the token's key up in them.
 */
function fileKeySet(file: string): JWTVerifyGetKey {
  let keys: JWTVerifyGetKey | undefined;
  let readAt = 0;
  return async (header, token) => {
    if (!keys || Date.now() - readAt > JWKS_TTL_MS) {
      const parsed = JSON.parse(await readFile(file, "utf8")) as { keys?: unknown };
      if (!Array.isArray(parsed.keys)) throw new Error(`${file} has no keys array`);
      keys = createLocalJWKSet({ keys: parsed.keys });
      readAt = Date.now();
    }
    return keys(header, token);
  };
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
      this.#jwks = fileKeySet(config.jwksFile);
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
