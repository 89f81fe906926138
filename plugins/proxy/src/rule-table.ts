/**
 * The rules in force, compiled for matching: exact paths before prefixes, longer prefixes
 * before shorter ones. A new table replaces the old one whole, so a request sees one or the
 * other, never half of each.
 */
import type { ProxyRule } from "./rule.ts";

/** A rule ready to match. */
export interface CompiledRule {
  readonly rule: ProxyRule;
  /** The path prefix (for `/x/*`) or the exact path. */
  readonly prefix: string;
  readonly exact: boolean;
  readonly methods: ReadonlySet<string>;
  readonly rewrite: RegExp | undefined;
}

function compile(rule: ProxyRule): CompiledRule {
  const exact = !rule.path.endsWith("*");
  let prefix = exact ? rule.path : rule.path.slice(0, -1);
  if (!exact && prefix.endsWith("/") && prefix.length > 1) prefix = prefix.slice(0, -1);
  return {
    rule,
    prefix,
    exact,
    methods: new Set(rule.methods),
    rewrite: rule.rewrite ? new RegExp(rule.rewrite.from) : undefined,
  };
}

/** Matches request paths to rules. */
export class RuleTable {
  private readonly compiled: readonly CompiledRule[];

  constructor(rules: readonly ProxyRule[]) {
    this.compiled = rules.map(compile).sort((a, b) => {
      if (a.exact !== b.exact) return a.exact ? -1 : 1;
      return b.prefix.length - a.prefix.length;
    });
  }

  get size(): number {
    return this.compiled.length;
  }

  /** The rule that takes `method pathname`, if any. */
  match(method: string, pathname: string): CompiledRule | undefined {
    for (const entry of this.compiled) {
      if (entry.methods.size > 0 && !entry.methods.has(method)) continue;
      if (entry.exact) {
        if (pathname === entry.prefix) return entry;
      } else if (
        entry.prefix === "/" ||
        pathname === entry.prefix ||
        pathname.startsWith(`${entry.prefix}/`)
      ) {
        return entry;
      }
    }
    return undefined;
  }
}

/** The path sent upstream: the prefix dropped when asked, then the rewrite applied. */
export function upstreamPath(entry: CompiledRule, pathname: string): string {
  let path = pathname;
  if (entry.rule.stripPrefix && entry.prefix !== "/") path = path.slice(entry.prefix.length) || "/";
  if (entry.rewrite) path = path.replace(entry.rewrite, entry.rule.rewrite?.to ?? "");
  return path.startsWith("/") ? path : `/${path}`;
}
