import { createHmac, timingSafeEqual } from "node:crypto";

/** The `apps` service: tells which app sent a request to the kernel from inside its worker. */
export interface AppIdentity {
  /** The app's name when the request carries that app's token, else undefined. */
  identify(request: Request): string | undefined;
}

/** Which app a request path addresses, as the router reads it. */
export interface AppLocation {
  /** The app's name (the homepage's name for `/`). */
  readonly name: string;
  /** The path the app sees, starting with `/`. */
  readonly rest: string;
}

/**
 * The `apps` service: the router is the one place that knows which paths reach which app and
 * where apps live (its `appsDir`, the homepage at `/`), so other plugins (auth) ask it. Another
 * provider of `apps` may only identify callers: consumers check that `locate` and `folders` exist.
 */
export interface AppsService extends AppIdentity {
  /**
   * The app `pathname` addresses (`/:app/*`, `/:app@range/*`, or `/` when a homepage is set),
   * read from the path alone, synchronously; undefined for paths that are no app address. The
   * app need not be installed: `folders` tells.
   */
  locate?(pathname: string): AppLocation | undefined;
  /** The folders of every installed version of app `name`, highest first; none when unknown. */
  folders?(name: string): Promise<readonly string[]>;
}

declare module "@buntime/sdk" {
  interface Services {
    apps: AppsService;
  }
}

/** Header an app may use instead of `Authorization: Bearer <token>`. */
export const APP_TOKEN_HEADER = "x-buntime-app-token";

/**
 * Issues and checks app tokens: `<app>.<HMAC-SHA256 of the app name>` under a secret that lives
 * only in this kernel process, so a token names its app and cannot be forged by another one.
 */
export class AppTokens implements AppIdentity {
  readonly #secret = crypto.getRandomValues(new Uint8Array(32));

  #sign(app: string): string {
    return createHmac("sha256", this.#secret).update(app).digest("base64url");
  }

  /** The token handed to `app`'s workers as `BUNTIME_APP_TOKEN`. */
  issue(app: string): string {
    return `${app}.${this.#sign(app)}`;
  }

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
