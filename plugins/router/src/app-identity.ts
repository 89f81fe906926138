import { createHmac, timingSafeEqual } from "node:crypto";

/** Header an app may use instead of `Authorization: Bearer <token>`. */
export const APP_TOKEN_HEADER = "x-buntime-app-token";

/**
 * Issues and checks app tokens: `<app>.<HMAC-SHA256 of the app name>` under a secret that lives
 * only in this kernel process, so a token names its app and cannot be forged by another one.
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

  /** The app's name when `request` carries that app's token, else undefined. */
  identify(request: Request): string | undefined {
    const authorization = request.headers.get("authorization");
    const token =
      request.headers.get(APP_TOKEN_HEADER) ??
      (authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined);
    const dot = token?.lastIndexOf(".") ?? -1;
    if (!token || dot <= 0) return undefined;
    const app = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.#sign(app));
    return given.length === expected.length && timingSafeEqual(given, expected) ? app : undefined;
  }
}
