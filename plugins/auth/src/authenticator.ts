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

/** The bearer token of a request, if any. */
export function bearerOf(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (!header || header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ") return undefined;
  return header.slice(7).trim();
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
   * The credentials of `request` this plugin reads, for `locals.credentials` (so the router keeps
   * them from apps): the session cookie, and `authorization` when it holds an API key, a JWT this
   * kernel accepts or the kernel's admin token. Other bearers (an app's own scheme) are not ours.
   * No I/O: marked by shape, whether or not the credential turns out valid.
   */
  credentialMarks(request: Request): RequestCredentials | undefined {
    const bearer = bearerOf(request);
    const ours =
      bearer !== undefined &&
      (bearer.startsWith(API_KEY_PREFIX) ||
        (this.options.jwt !== undefined && bearer.split(".").length === 3) ||
        this.options.isKernelAdmin(request));
    const session = request.headers.get("cookie")?.includes(this.options.cookieName) === true;
    if (ours) return session ? this.#marks.both : this.#marks.bearer;
    return session ? this.#marks.session : undefined;
  }

  /** Classifies the credential of `request` cheaply (no I/O). */
  credentialKind(request: Request): CredentialKind {
    const bearer = bearerOf(request);
    if (bearer !== undefined) {
      if (bearer.startsWith(API_KEY_PREFIX)) return "api-key";
      if (this.options.jwt && bearer.split(".").length === 3) return "jwt";
      return "kernel-or-foreign";
    }
    const cookie = request.headers.get("cookie");
    return cookie?.includes(this.options.cookieName) ? "session" : "none";
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
