/**
 * The one canonical form of a request path, decided once per request (the kernel puts it in
 * `RequestContext.pathname`), so every plugin that decides on a path decides on the same one:
 *
 * - percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded, once: `%6eotes`
 *   is `notes`, `%2e%2e` is `..`; every other escape is kept, with upper-case hex (`%2525` stays
 *   `%2525`, never becoming `%25` and then `%`);
 * - so an encoded `/` or `\` stays encoded (`%2F`, `%5C`): it is part of a segment, never a
 *   separator, so `/a%2F..%2Fb` is one odd segment under `/`, for every plugin (a storage key
 *   may hold a `/` this way; `c.req.param` decodes it);
 * - NUL (raw or `%00`), a raw `\` and a `%` not followed by two hex digits are refused;
 * - `.` and `..` segments are resolved after decoding (never above `/`), empty segments (`//`)
 *   dropped;
 * - a trailing `/` is kept, and makes another path (`/x` and `/x/` are routed apart, as Hono
 *   routes them; a pattern `/x/*` or a base `/x` covers both), and so is a path's case: paths are
 *   case-sensitive, so plugins compare them case-sensitively.
 */

/** Why a path has no canonical form: the kernel answers 400 `BUNTIME_ERR_PATH_INVALID`. */
export class PathRefusal {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

const SLASH = 47;
const DOT = 46;
const PERCENT = 37;
const BACKSLASH = 92;

/** True for the characters RFC 3986 calls unreserved, which mean the same encoded or not. */
function isUnreserved(code: number): boolean {
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    (code >= 48 && code <= 57) ||
    code === 45 ||
    code === DOT ||
    code === 95 ||
    code === 126
  );
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** True when `path` is already canonical as far as one scan can tell (the common case): no allocation. */
function looksCanonical(path: string): boolean {
  let previous = SLASH; // `path` starts with `/`
  for (let index = 1; index < path.length; index++) {
    const code = path.charCodeAt(index);
    if (code === PERCENT || code === BACKSLASH || code === 0) return false;
    if (previous === SLASH && (code === SLASH || code === DOT)) return false;
    previous = code;
  }
  return true;
}

/** Decodes one segment's escapes as the module comment says, or tells why it cannot. */
function decodeSegment(segment: string): string | PathRefusal {
  if (!segment.includes("%")) return segment;
  let out = "";
  for (let index = 0; index < segment.length; index++) {
    const code = segment.charCodeAt(index);
    if (code !== PERCENT) {
      out += segment[index];
      continue;
    }
    const high = hexValue(segment.charCodeAt(index + 1));
    const low = hexValue(segment.charCodeAt(index + 2));
    if (high < 0 || low < 0) return new PathRefusal("a % not followed by two hex digits");
    const byte = high * 16 + low;
    if (byte === 0) return new PathRefusal("an encoded NUL");
    out += isUnreserved(byte)
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    index += 2;
  }
  return out;
}

/**
 * The canonical form of `path` (a URL's raw pathname, starting with `/`), or a `PathRefusal`
 * saying why it has none. An already-canonical path is returned as is, without allocating.
 */
export function canonicalPath(path: string): string | PathRefusal {
  if (looksCanonical(path)) return path;
  if (path.includes("\\") || path.includes("\0")) return new PathRefusal("a backslash or NUL");
  const segments: string[] = [];
  const raw = path.split("/");
  let trailing = false;
  for (let index = 1; index < raw.length; index++) {
    const decoded = decodeSegment(raw[index] as string);
    if (decoded instanceof PathRefusal) return decoded;
    const last = index === raw.length - 1;
    if (decoded === "..") segments.pop();
    else if (decoded !== "." && decoded !== "") segments.push(decoded);
    // `/a/`, `/a/.` and `/a/b/..` all name the folder `/a/`
    if (last) trailing = decoded === "" || decoded === "." || decoded === "..";
  }
  if (segments.length === 0) return "/";
  return `/${segments.join("/")}${trailing ? "/" : ""}`;
}
