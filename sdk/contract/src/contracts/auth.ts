/**
 * The `auth` service contract: who is calling. `@buntime/plugin-auth` provides it, and sets
 * `locals.user` for every request it lets through with valid credentials.
 */

/** A signed-in user, as plugins see them (no secrets). */
export interface RequestUser {
  readonly username: string;
  readonly roles: readonly string[];
  /** How the user proved who they are, e.g. `session`, `api-key`, `jwt`, `oidc`, `kernel-token`. */
  readonly via?: string;
}

/**
 * The `auth` service.
 *
 * @example
 * const user = await ctx.services.get("auth").requireRole(request, "editor");
 */
export interface AuthService {
  /** The user behind `request`, or undefined when it carries no valid credentials. */
  currentUser(request: Request): Promise<RequestUser | undefined>;
  /**
   * The user behind `request`.
   * @throws BuntimeError `BUNTIME_ERR_AUTH_REQUIRED` (401) without valid credentials.
   */
  requireUser(request: Request): Promise<RequestUser>;
  /**
   * The user behind `request` when they have `role` (admins have every role).
   * @throws BuntimeError `BUNTIME_ERR_AUTH_REQUIRED` (401) without a user, `BUNTIME_ERR_AUTH_FORBIDDEN` (403) without the role.
   */
  requireRole(request: Request, role: string): Promise<RequestUser>;
}
