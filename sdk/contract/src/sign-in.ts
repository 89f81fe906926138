/**
 * Where a person signs in, answered one way for every plugin: the sign-in page of the running
 * plugin that provides `auth` (`<base>/login`, wherever it is mounted), a link to it that comes
 * back to a page, and the coded JSON 401 that names it (`signIn`), so a page's script that gets
 * a 401 from any plugin's API can offer sign-in instead of a dead end.
 *
 * @example
 * import { authRequired, signInPath, signInUrl } from "@buntime/sdk";
 * // needs `kernel:plugins` in the manifest's `consumes`
 * const signIn = signInPath(ctx.services); // "/auth/login", "/id/login" with auth at /id, or undefined
 * if (!user) return authRequired(context.pathname, signIn); // 401 {"error":{…},"signIn":"/auth/login"}
 * if (signIn) return Response.redirect(signInUrl(signIn, "/logs/?level=warn"), 302); // …/login?next=%2Flogs%2F%3Flevel%3Dwarn
 */
import type { KernelPlugins } from "./contracts/kernel.ts";
import { BuntimeError } from "./errors.ts";

/** The first-party auth plugin's base: where a plugin providing `auth` without a base of its own is. */
export const DEFAULT_AUTH_BASE = "/auth";

/** Where pages send a person when a 401 names no sign-in page (no auth plugin, or an older one). */
export const DEFAULT_SIGN_IN_PATH = `${DEFAULT_AUTH_BASE}/login`;

/** The part of a plugin's `ctx.services` these helpers read. */
export interface SignInServices {
  has(name: "kernel:plugins"): boolean;
  get(name: "kernel:plugins"): KernelPlugins;
}

/**
 * The base of the running plugin that provides `auth`, or undefined when none runs (or the
 * caller does not list `kernel:plugins` in `consumes`, so it cannot know).
 */
export function authBase(services: SignInServices): string | undefined {
  if (!services.has("kernel:plugins")) return undefined;
  const auth = services
    .get("kernel:plugins")
    .list()
    .find((plugin) => plugin.status === "running" && plugin.provides.includes("auth"));
  return auth ? (auth.base ?? DEFAULT_AUTH_BASE) : undefined;
}

/** The sign-in page of the running auth plugin (`<base>/login`), or undefined as {@link authBase}. */
export function signInPath(services: SignInServices): string | undefined {
  const base = authBase(services);
  return base === undefined ? undefined : `${base}/login`;
}

/** A base that stands for "this site" while parsing; its origin never reaches an answer. */
const HERE = "http://this-site.invalid";
/** Control characters (a parser drops tab and newline, turning `/\t/evil` into `//evil`) and backslashes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const UNSAFE = /[\u0000-\u001f\u007f\\]/;
/** Encoded slashes and backslashes, which something downstream may decode into `//host`. */
const ENCODED_SLASH = /%(2f|5c)/i;

/**
 * `path` as a path on this site (path, query and fragment, normalised), or undefined for anything
 * that could lead elsewhere, judged after URL parsing so no spelling of another site passes
 * (`//evil`, `/\evil`, tabs and newlines a parser drops, encoded slashes a later decode turns
 * into `//`, `javascript:`). What a sign-in may come back to.
 */
export function sameSitePath(path: unknown): string | undefined {
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) return undefined;
  if (UNSAFE.test(path) || ENCODED_SLASH.test(path)) return undefined;
  const url = URL.parse(path, HERE);
  if (url === null || url.origin !== HERE) return undefined;
  const target = url.pathname + url.search + url.hash;
  // `/.//evil` parses to the path `//evil`, which a browser reads as another host
  return target.startsWith("//") ? undefined : target;
}

/**
 * The sign-in page `signIn` with `?next=` back to `returnPath` (a path on this site, with its
 * query); a return path that could lead to another site is left out, so sign-in lands on `/`.
 */
export function signInUrl(signIn: string, returnPath: string | undefined): string {
  const next = sameSitePath(returnPath);
  return next === undefined ? signIn : `${signIn}?next=${encodeURIComponent(next)}`;
}

/**
 * The coded JSON 401 (`BUNTIME_ERR_AUTH_REQUIRED` for `path`) for a caller without credentials,
 * naming the sign-in page in `signIn` when there is one (a page's script links there, adding
 * `?next=` back to itself), with the Bearer challenge for token clients.
 */
export function authRequired(path: string, signIn: string | undefined): Response {
  const error = new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path });
  return Response.json(signIn === undefined ? error.toJSON() : { ...error.toJSON(), signIn }, {
    status: error.status,
    headers: { "www-authenticate": 'Bearer realm="buntime"' },
  });
}
