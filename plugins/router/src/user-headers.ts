/**
 * The headers that tell an app who is signed in. The router alone sets them, from
 * `locals.user`, when it forwards a request to an app's worker; copies a client sent itself are
 * always dropped there, so an app can trust them.
 */
import type { RequestUser } from "@buntime/sdk";

/** The signed-in user's name. */
export const USER_HEADER = "x-buntime-user";
/** The signed-in user's roles, joined by `,`. */
export const ROLES_HEADER = "x-buntime-roles";

/** Adds the headers naming `user` to `headers`. */
export function addUserHeaders(headers: Record<string, string>, user: RequestUser): void {
  headers[USER_HEADER] = user.username;
  headers[ROLES_HEADER] = user.roles.join(",");
}

/** True when the client sent either header itself. */
export function carriesUserHeaders(request: Request): boolean {
  return request.headers.has(USER_HEADER) || request.headers.has(ROLES_HEADER);
}

/** `request` without the client's copies of the headers (method, body and abort signal kept). */
export function withoutUserHeaders(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.delete(USER_HEADER);
  headers.delete(ROLES_HEADER);
  return new Request(request.url, {
    method: request.method,
    headers,
    body: request.body,
    signal: request.signal,
  });
}
