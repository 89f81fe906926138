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
  return (pathname) => {
    if (exact.has(pathname)) return true;
    for (const prefix of prefixes) {
      if (pathname === prefix || pathname.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`))
        return true;
    }
    return false;
  };
}
