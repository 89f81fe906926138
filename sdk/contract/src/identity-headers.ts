/**
 * The headers that tell an app (or a proxied upstream) who is signed in. Inside the kernel the
 * user travels in `locals.user`; these headers exist only on requests leaving it, set by the
 * plugin that forwards (the router, the proxy), which always drops copies a client sent itself.
 */
import type { RequestUser } from "./contracts/auth.ts";

/** The signed-in user's name. */
export const USER_HEADER = "x-buntime-user";
/** The signed-in user's roles, joined by `,`. */
export const ROLES_HEADER = "x-buntime-roles";

/** The identity headers naming `user`. */
export function identityHeadersOf(user: RequestUser): Record<string, string> {
  return { [USER_HEADER]: user.username, [ROLES_HEADER]: user.roles.join(",") };
}

/** True when `headers` carry either identity header (a client's copy, on a request coming in). */
export function hasIdentityHeaders(headers: Headers): boolean {
  return headers.has(USER_HEADER) || headers.has(ROLES_HEADER);
}

/** Replaces whatever identity headers `headers` carry with those of `user`, or with none. */
export function setIdentityHeaders(headers: Headers, user: RequestUser | undefined): void {
  headers.delete(USER_HEADER);
  headers.delete(ROLES_HEADER);
  if (user) for (const [name, value] of Object.entries(identityHeadersOf(user))) headers.set(name, value);
}
