/** Path patterns of the policy: `/docs` matches exactly, `/docs/*` matches `/docs` and below. */

/** A compiled list of patterns. */
export type PathMatcher = (pathname: string) => boolean;

/** Compiles `patterns` into one test; an empty list matches nothing. */
export function pathMatcher(patterns: readonly string[]): PathMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith("/*")) prefixes.push(pattern.slice(0, -2));
    else if (pattern.endsWith("*")) prefixes.push(pattern.slice(0, -1));
    else exact.add(pattern);
  }
  if (exact.size === 0 && prefixes.length === 0) return () => false;
  // what a path below each prefix starts with, made once rather than per request
  const below = prefixes.map((prefix) => (prefix.endsWith("/") ? prefix : `${prefix}/`));
  return (pathname) => {
    if (exact.has(pathname)) return true;
    for (let index = 0; index < prefixes.length; index++) {
      if (pathname === prefixes[index] || pathname.startsWith(below[index] as string)) return true;
    }
    return false;
  };
}
