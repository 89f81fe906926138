/**
 * What an app's worker must not see: the credentials that proved who the caller is. The app gets
 * the verified identity (`x-buntime-user`, `x-buntime-roles`) instead. Removal goes through the
 * pool's header overrides (`null` removes a header), so the request is never copied.
 */
import { hasIdentityHeaders, type RequestCredentials, ROLES_HEADER, USER_HEADER } from "@buntime/sdk";

/** What the router recognises itself, whether or not an auth plugin is loaded. */
export interface CredentialCheck {
  /** True when `bearer` is an app token (a caller's `BUNTIME_APP_TOKEN` or one minted from it). */
  isAppToken(bearer: string): boolean;
  /** True when `request` carries the kernel's admin token. */
  isKernelAdmin(request: Request): boolean;
  /** The header an app token may travel in instead of `authorization`. */
  readonly appTokenHeader: string;
}

/** `cookie` without the cookies named in `drop`; undefined when none is left. */
export function withoutCookies(cookie: string, drop: readonly string[]): string | undefined {
  const kept: string[] = [];
  for (const part of cookie.split(";")) {
    const pair = part.trim();
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = (equals === -1 ? pair : pair.slice(0, equals)).trim();
    if (!drop.includes(name)) kept.push(pair);
  }
  return kept.length === 0 ? undefined : kept.join("; ");
}

/**
 * Adds to `headers` (the forwarding overrides) the removals that keep credentials from the app:
 * the headers and cookies plugins marked in `locals.credentials`, app tokens, the kernel's admin
 * token, and a client's own copies of the identity headers when nobody is signed in.
 */
export function dropCredentials(
  request: Request,
  headers: Record<string, string | null>,
  marks: RequestCredentials | undefined,
  signedIn: boolean,
  check: CredentialCheck,
): void {
  const sent = request.headers;
  if (!signedIn && hasIdentityHeaders(sent)) {
    headers[USER_HEADER] = null;
    headers[ROLES_HEADER] = null;
  }
  if (sent.has(check.appTokenHeader)) headers[check.appTokenHeader] = null;
  const authorization = sent.get("authorization");
  if (authorization !== null && /^bearer /i.test(authorization)) {
    const bearer = authorization.slice(7).trim();
    if (check.isAppToken(bearer) || check.isKernelAdmin(request)) headers.authorization = null;
  }
  if (marks === undefined) return;
  for (const name of marks.headers) if (sent.has(name)) headers[name] = null;
  const cookie = sent.get("cookie");
  if (cookie !== null && marks.cookies.length > 0)
    headers.cookie = withoutCookies(cookie, marks.cookies) ?? null;
}
