/**
 * Callee-bound app tokens: what an app sends when it calls another app through the kernel.
 * An app's `BUNTIME_APP_TOKEN` (`<app>.<key>`) is its key and never travels to another app; from
 * it the app mints, for each call, a token naming the callee and an expiry a minute away:
 * `bt1.<base64url JSON {iss, aud, exp}>.<HMAC-SHA256 under key>`. The kernel accepts it only for a
 * request to `aud` before `exp`, so a callee cannot replay what it received to a third app.
 */
import { createHmac } from "node:crypto";

/** Prefix of a callee-bound app token. */
export const APP_TOKEN_PREFIX = "bt1.";
/** Longest lifetime a callee-bound token may claim, in seconds (the kernel refuses longer ones). */
export const APP_TOKEN_MAX_TTL = 300;

/** What a callee-bound token claims. */
export interface AppTokenClaims {
  /** The calling app. */
  readonly iss: string;
  /** The app the token is for. */
  readonly aud: string;
  /** Expiry, in seconds since the epoch. */
  readonly exp: number;
}

function mac(key: string, payload: string): string {
  return createHmac("sha256", key)
    .update(APP_TOKEN_PREFIX + payload)
    .digest("base64url");
}

/**
 * A token for calling app `callee`, minted from the caller's `BUNTIME_APP_TOKEN`.
 *
 * @example
 * const token = mintAppToken(process.env.BUNTIME_APP_TOKEN!, "billing");
 * await fetch(`${process.env.BUNTIME_URL}/billing/api/invoices`, { headers: { authorization: `Bearer ${token}` } });
 */
export function mintAppToken(appToken: string, callee: string, ttlSeconds = 60, now = Date.now()): string {
  const dot = appToken.lastIndexOf(".");
  if (dot <= 0) throw new TypeError("mintAppToken: the app token must be BUNTIME_APP_TOKEN (<app>.<key>)");
  const ttl = Math.min(Math.max(1, Math.floor(ttlSeconds)), APP_TOKEN_MAX_TTL);
  const claims: AppTokenClaims = {
    iss: appToken.slice(0, dot),
    aud: callee,
    exp: Math.floor(now / 1000) + ttl,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${APP_TOKEN_PREFIX}${payload}.${mac(appToken.slice(dot + 1), payload)}`;
}

/** The claims and signature of a callee-bound token as written, unchecked; undefined when malformed. */
export function readAppToken(
  token: string,
): { claims: AppTokenClaims; payload: string; mac: string } | undefined {
  if (!token.startsWith(APP_TOKEN_PREFIX)) return undefined;
  const dot = token.lastIndexOf(".");
  if (dot <= APP_TOKEN_PREFIX.length) return undefined;
  const payload = token.slice(APP_TOKEN_PREFIX.length, dot);
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<AppTokenClaims>;
    if (typeof claims.iss !== "string" || typeof claims.aud !== "string" || !Number.isInteger(claims.exp)) {
      return undefined;
    }
    return { claims: claims as AppTokenClaims, payload, mac: token.slice(dot + 1) };
  } catch {
    return undefined;
  }
}

/** The signature a callee-bound token with `payload` carries when minted under `key`. */
export function appTokenMac(key: string, payload: string): string {
  return mac(key, payload);
}
