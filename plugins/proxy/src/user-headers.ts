/**
 * The headers that tell an upstream who is signed in. The proxy sets them from `locals.user`
 * (which the auth plugin sets) on every request it forwards, and always drops copies a client
 * sent itself, so an upstream behind the proxy can trust them.
 */
import type { RequestUser } from "@buntime/sdk";

/** The signed-in user's name. */
export const USER_HEADER = "x-buntime-user";
/** The signed-in user's roles, joined by `,`. */
export const ROLES_HEADER = "x-buntime-roles";

/** Replaces whatever the client sent in the user headers with `user`, or with nothing. */
export function setUserHeaders(headers: Headers, user: RequestUser | undefined): void {
  headers.delete(USER_HEADER);
  headers.delete(ROLES_HEADER);
  if (!user) return;
  headers.set(USER_HEADER, user.username);
  headers.set(ROLES_HEADER, user.roles.join(","));
}
