/**
 * Where a sign-in may land (`next`): only a path on this site, judged after URL parsing, so no
 * spelling of another site passes (`//evil`, `/\evil`, tabs and newlines a parser drops, encoded
 * slashes a later decode turns into `//`, `javascript:`).
 */

/** A base that stands for "this site" while parsing; its origin never reaches a response. */
const HERE = "http://this-site.invalid";

/** Control characters (a parser drops tab and newline, turning `/\t/evil` into `//evil`) and backslashes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const UNSAFE = /[\u0000-\u001f\u007f\\]/;
/** Encoded slashes and backslashes, which something downstream may decode into `//host`. */
const ENCODED_SLASH = /%(2f|5c)/i;

/** `next` as a path on this site (path, query and fragment, normalised), else `/`. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) return "/";
  if (UNSAFE.test(next) || ENCODED_SLASH.test(next)) return "/";
  const url = URL.parse(next, HERE);
  if (url === null || url.origin !== HERE) return "/";
  const target = url.pathname + url.search + url.hash;
  // `/.//evil` parses to the path `//evil`, which a browser reads as another host
  return target.startsWith("//") ? "/" : target;
}
