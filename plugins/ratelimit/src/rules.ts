/** Rules compiled for the request path: a cheap match on method and path. */
import type { ResolvedRule } from "./config.ts";
import { resolvePolicy } from "./policy.ts";
import type { ResolvedPolicy } from "./types.ts";

/** A rule ready to match. */
export interface CompiledRule {
  readonly policy: ResolvedPolicy;
  readonly key: ResolvedRule["key"];
  matches(method: string, path: string): boolean;
}

function pathMatcher(pattern: string): (path: string) => boolean {
  if (!pattern.endsWith("*")) return (path) => path === pattern;
  const prefix = pattern.slice(0, -1);
  const bare = prefix.endsWith("/") && prefix.length > 1 ? prefix.slice(0, -1) : undefined;
  return (path) => path.startsWith(prefix) || path === bare;
}

/** Compiles rules in order. */
export function compileRules(rules: readonly ResolvedRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const methods = rule.methods ? new Set(rule.methods.map((m) => m.toUpperCase())) : undefined;
    const name = rule.name ?? `${methods ? [...methods].join(",") : "*"} ${rule.path}`;
    const pathMatches = pathMatcher(rule.path);
    return {
      policy: resolvePolicy({ ...rule, name }),
      key: rule.key,
      matches: (method, path) => (methods === undefined || methods.has(method)) && pathMatches(path),
    };
  });
}
