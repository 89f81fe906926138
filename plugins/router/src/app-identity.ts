import { createHmac, timingSafeEqual } from "node:crypto";
import { APP_TOKEN_MAX_TTL, appTokenMac, readAppToken } from "@buntime/sdk";

/** Header an app may use instead of `Authorization: Bearer <token>`. */
export const APP_TOKEN_HEADER = "x-buntime-app-token";

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The app token a request carries, in `x-buntime-app-token` or as `Authorization: Bearer`. */
function tokenOf(request: Request): string | undefined {
  const authorization = request.headers.get("authorization");
  return (
    request.headers.get(APP_TOKEN_HEADER) ??
    (authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : undefined)
  );
}

/**
 * Issues and checks app tokens. `BUNTIME_APP_TOKEN` is `<app>.<HMAC-SHA256 of the app name>`
 * under a secret that lives only in this kernel process: it proves the app to plugins (storage)
 * and is the key the app mints callee-bound tokens with (`mintAppToken` of `@buntime/sdk`), which
 * alone prove it to other apps, only to the app they name and only until they expire.
 */
export class AppTokens {
  readonly #secret = crypto.getRandomValues(new Uint8Array(32));

  #sign(app: string): string {
    return createHmac("sha256", this.#secret).update(app).digest("base64url");
  }

  /** The token handed to `app`'s workers as `BUNTIME_APP_TOKEN`. */
  issue(app: string): string {
    return `${app}.${this.#sign(app)}`;
  }

  /** The app `token` (a `BUNTIME_APP_TOKEN`) proves, else undefined. */
  #appOf(token: string): string | undefined {
    const dot = token.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const app = token.slice(0, dot);
    return same(token.slice(dot + 1), this.#sign(app)) ? app : undefined;
  }

  /** The caller a callee-bound `token` proves for a call to `callee` now, else undefined. */
  #callerOf(token: string, callee: string, now: number): string | undefined {
    const read = readAppToken(token);
    if (!read) return undefined;
    const { iss, aud, exp } = read.claims;
    const seconds = now / 1000;
    if (aud !== callee || exp <= seconds || exp > seconds + APP_TOKEN_MAX_TTL) return undefined;
    return same(read.mac, appTokenMac(this.#sign(iss), read.payload)) ? iss : undefined;
  }

  /** True when `token` is a valid app token of either kind (so it is kept from apps). */
  isAppToken(token: string): boolean {
    const read = readAppToken(token);
    if (read) return same(read.mac, appTokenMac(this.#sign(read.claims.iss), read.payload));
    return this.#appOf(token) !== undefined;
  }

  /**
   * The calling app's name, else undefined. For a call to a plugin (no `callee`), the request
   * carries the app's `BUNTIME_APP_TOKEN`; for a call to app `callee`, a token minted for that
   * app that has not expired (its `BUNTIME_APP_TOKEN` is refused there).
   */
  identify(request: Request, callee?: string, now = Date.now()): string | undefined {
    const token = tokenOf(request);
    if (!token) return undefined;
    return callee === undefined ? this.#appOf(token) : this.#callerOf(token, callee, now);
  }
}
