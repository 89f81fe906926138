/**
 * JWT bearer verification with hono's JWT helpers: HS256 against a shared secret, RS256/ES256
 * against a JWKS read from a URL (cached, fetched again when a token names an unknown key) or a
 * file. The token's `sub` is the username; its roles come from a configurable claim.
 */
import { readFile } from "node:fs/promises";
import { BuntimeError } from "@buntime/sdk";
import { Jwt } from "hono/utils/jwt";
import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import type { JWTPayload } from "hono/utils/jwt/types";
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
  private readonly jwks: JwksCache | undefined;

  constructor(private readonly config: JwtConfig) {
    const source = { url: config.jwksUrl, file: config.jwksFile };
    this.jwks = source.url || source.file ? new JwksCache(source) : undefined;
  }

  /** The user a valid token names; throws `BUNTIME_ERR_AUTH_TOKEN_INVALID` otherwise. */
  async verify(token: string): Promise<User> {
    const verification = {
      ...(this.config.issuer ? { iss: this.config.issuer } : {}),
      ...(this.config.audience ? { aud: this.config.audience } : {}),
    };
    let payload: JWTPayload;
    try {
      const { header } = Jwt.decode(token);
      if (header.alg === "HS256") {
        if (!this.config.secret) throw new Error("HS256 tokens are not accepted (no secret configured)");
        payload = await Jwt.verify(token, this.config.secret, { alg: "HS256", ...verification });
      } else {
        if (!this.jwks) throw new Error(`${header.alg} tokens are not accepted (no JWKS configured)`);
        const keys = await this.jwks.keysFor(header.kid);
        payload = await Jwt.verifyWithJwks(token, {
          keys,
          verification,
          allowedAlgorithms: ["RS256", "ES256"],
        });
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
