import type { AppLocation } from "@buntime/sdk";
import semver from "semver";

/** What the first path segment asks for: an app name and, optionally, a version or range. */
export interface AppAddress extends AppLocation {
  /** An exact version or a semver range; undefined for "the highest installed". */
  readonly range: string | undefined;
  /** The prefix the app sees as its base, e.g. `/todo` or `/todo@^1`. */
  readonly base: string;
}

const APP_NAME = /^[a-z0-9][a-z0-9._~-]*$/i;

/**
 * Reads `/:app/*`, `/:app@1.2.3/*` or `/:app@^1/*` from a pathname.
 * Returns undefined when the first segment is no app address.
 */
export function parseAppPath(pathname: string): AppAddress | undefined {
  const end = pathname.indexOf("/", 1);
  const segment = end === -1 ? pathname.slice(1) : pathname.slice(1, end);
  const rest = end === -1 ? "/" : pathname.slice(end);
  let decoded = segment;
  if (segment.includes("%")) {
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  const at = decoded.indexOf("@");
  const name = at === -1 ? decoded : decoded.slice(0, at);
  const range = at === -1 ? undefined : decoded.slice(at + 1);
  if (!APP_NAME.test(name)) return undefined;
  if (range !== undefined && semver.validRange(range) === null) return undefined;
  return { name, range, base: `/${segment}`, rest };
}

/**
 * True when `location` is one the router read itself (with the range and base it forwards
 * under), rather than one another plugin put in `locals.app`.
 */
export function isAppAddress(location: AppLocation): location is AppAddress {
  return "base" in location && "range" in location;
}
