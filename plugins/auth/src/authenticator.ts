/**
 * Finds out who sent a request: the kernel's admin token (as the kernel's `kernel:admin` service
 * recognises it), an API key or a JWT in `Authorization: Bearer`, else the session cookie. Also
 * the `auth` service other plugins use.
 */
import { type AuthService, BuntimeError, type RequestCredentials } from "@buntime/sdk";
import { parse } from "hono/utils/cookie";
import { API_KEY_PREFIX, type ApiKeyStore } from "./api-keys.ts";
import type { JwtVerifier } from "./jwt-verifier.ts";
import type { SessionStore } from "./sessions.ts";
import { publicUser, type User, type UserStore } from "./users.ts";

/** The user the kernel's own admin token stands for. */
export const KERNEL_ADMIN: User = { username: "kernel-admin", roles: ["admin"], via: "kernel-token" };

/** Where the credential of a request is, without looking anything up. */
export type CredentialKind = "none" | "kernel-or-foreign" | "api-key" | "jwt" | "session";

/** What a request carries, from one read of its `authorization` and `cookie` headers. */
export interface Credentials {
  readonly kind: CredentialKind;
  /** The names for `locals.credentials` (see `Authenticator.inspect`); undefined when it carries none of ours. */
  readonly marks: RequestCredentials | undefined;
  /** True when the bearer is the kernel's own admin token (kind `kernel-or-foreign` only). */
  readonly kernelAdmin: boolean;
}

/** A request with neither header: most requests, so one shared answer. */
const NO_CREDENTIALS: Credentials = Object.freeze({ kind: "none", marks: undefined, kernelAdmin: false });

/** The bearer token in an `authorization` header's value, if any. */
function bearerIn(header: string | null): string | undefined {
  if (!header || header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ") return undefined;
  return header.slice(7).trim();
}

/** The bearer token of a request, if any. */
export function bearerOf(request: Request): string | undefined {
  return bearerIn(request.headers.get("authorization"));
}

/** True when the user has `role`; admins have every role. */
export function hasRole(user: User, role: string): boolean {
  return user.roles.includes(role) || user.roles.includes("admin");
}

export interface AuthenticatorOptions {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly apiKeys: ApiKeyStore;
  readonly jwt: JwtVerifier | undefined;
  readonly cookieName: string;
  /** True when the request carries the kernel's own admin token. */
  readonly isKernelAdmin: (request: Request) => boolean;
}

/** Resolves credentials into users. */
export class Authenticator implements AuthService {
  /** The marks for `locals.credentials`, built once: bearer, session cookie, both. */
  readonly #marks: Record<"bearer" | "session" | "both", RequestCredentials>;

  constructor(private readonly options: AuthenticatorOptions) {
    const cookies = [options.cookieName];
    this.#marks = {
      bearer: Object.freeze({ headers: ["authorization"], cookies: [] }),
      session: Object.freeze({ headers: [], cookies }),
      both: Object.freeze({ headers: ["authorization"], cookies }),
    };
  }

  /**
   * Classifies the credential of `request` and names the ones this plugin reads, reading each
   * header once (the guard needs both for every request). The marks are for `locals.credentials`
   * (so the router keeps them from apps): the session cookie, and `authorization` when it holds
   * an API key, a JWT this kernel accepts or the kernel's admin token; other bearers (an app's own
   * scheme) are not ours. No I/O: marked by shape, whether or not the credential turns out valid;
   * the kernel's token is compared in memory.
   */
  inspect(request: Request): Credentials {
    const headers = request.headers;
    const authorization = headers.get("authorization");
    const cookie = headers.get("cookie");
    if (authorization === null && cookie === null) return NO_CREDENTIALS;
    const bearer = bearerIn(authorization);
    const session = cookie?.includes(this.options.cookieName) === true;
    let kind: CredentialKind = session ? "session" : "none";
    let kernelAdmin = false;
    if (bearer !== undefined) {
      if (bearer.startsWith(API_KEY_PREFIX)) kind = "api-key";
      else if (this.options.jwt !== undefined && bearer.split(".").length === 3) kind = "jwt";
      else {
        kind = "kernel-or-foreign";
        kernelAdmin = this.options.isKernelAdmin(request);
      }
    }
    // an API key or a JWT is ours whether or not it turns out valid; another bearer only when it is the kernel's
    const ours = kind === "api-key" || kind === "jwt" || kernelAdmin;
    const marks = ours
      ? session
        ? this.#marks.both
        : this.#marks.bearer
      : session
        ? this.#marks.session
        : undefined;
    return { kind, marks, kernelAdmin };
  }

  /** The session id in the request's cookie, if any. */
  sessionId(request: Request): string | undefined {
    const cookie = request.headers.get("cookie");
    return cookie ? parse(cookie, this.options.cookieName)[this.options.cookieName] : undefined;
  }

  /**
   * The user behind `request`. A bearer token that is present but invalid is an error (401),
   * rather than a silent fall-back to the cookie.
   */
  async resolve(request: Request): Promise<User | undefined> {
    const bearer = bearerOf(request);
    if (bearer !== undefined) {
      if (this.options.isKernelAdmin(request)) return KERNEL_ADMIN;
      if (bearer.startsWith(API_KEY_PREFIX)) {
        const owner = await this.options.apiKeys.owner(bearer);
        const user = owner === undefined ? undefined : await this.options.users.get(owner);
        if (!user)
          throw new BuntimeError("BUNTIME_ERR_AUTH_TOKEN_INVALID", { reason: "unknown or revoked API key" });
        return publicUser(user, "api-key");
      }
      if (this.options.jwt && bearer.split(".").length === 3) return this.options.jwt.verify(bearer);
      throw new BuntimeError("BUNTIME_ERR_AUTH_TOKEN_INVALID", {
        reason: "neither an API key, a JWT this kernel accepts, nor the kernel's admin token",
      });
    }
    const id = this.sessionId(request);
    if (id === undefined) return undefined;
    const username = await this.options.sessions.find(id);
    const user = username === undefined ? undefined : await this.options.users.get(username);
    return user ? publicUser(user, "session") : undefined;
  }

  async currentUser(request: Request): Promise<User | undefined> {
    try {
      return await this.resolve(request);
    } catch (error) {
      if (error instanceof BuntimeError && error.code === "BUNTIME_ERR_AUTH_TOKEN_INVALID") return undefined;
      throw error;
    }
  }

  async requireUser(request: Request): Promise<User> {
    const user = await this.resolve(request);
    if (!user) throw new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path: new URL(request.url).pathname });
    return user;
  }

  async requireRole(request: Request, role: string): Promise<User> {
    const user = await this.requireUser(request);
    if (!hasRole(user, role)) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_FORBIDDEN", {
        user: user.username,
        action: `${request.method} ${new URL(request.url).pathname}`,
        role,
      });
    }
    return user;
  }
}
