/**
 * The `network` permission compiled into a matcher. A rule is `host` (ports 80 and 443),
 * `host:port` (that port only) or `*.domain[:port]` (any subdomain of `domain` at any depth,
 * not `domain` itself). An IP address is a host like any other: it matches only a rule that
 * names that address, never a rule naming a host that resolves to it.
 */
import { BuntimeError } from "@buntime/sdk";
import { type EgressTarget, formatTarget, normalizeHost, printable, splitAuthority } from "./target.ts";

/** The ports a rule without a port allows: plain and TLS web traffic. */
export const WEB_PORTS: readonly number[] = [80, 443];

interface Rule {
  /** The exact host, or for a wildcard the domain whose subdomains match. */
  readonly host: string;
  readonly wildcard: boolean;
  readonly ports: readonly number[];
}

/** A compiled policy: which targets an app may reach. */
export interface CompiledPolicy {
  readonly app: string;
  /** True when a declared or always-allowed rule covers `target`. */
  allows(target: EgressTarget): boolean;
}

function parseRule(app: string, raw: unknown): Rule {
  const invalid = (details: string) =>
    new BuntimeError("BUNTIME_ERR_POOL_EGRESS_RULE_INVALID", { app, rule: printable(String(raw)), details });
  if (typeof raw !== "string" || raw === "") throw invalid("expected a host such as api.example.com");
  const wildcard = raw.startsWith("*.");
  const parts = splitAuthority(wildcard ? raw.slice(2) : raw);
  if ("problem" in parts) throw invalid(parts.problem);
  const host = normalizeHost(parts.host);
  if ("problem" in host) throw invalid(host.problem);
  if (wildcard && host.ip !== 0) throw invalid("a wildcard needs a domain name, not an IP address");
  if (wildcard && !host.host.includes("."))
    throw invalid("a wildcard must name a domain of two labels or more");
  const ports = parts.port === undefined ? WEB_PORTS : [parts.port];
  return { host: host.host, wildcard, ports };
}

function matches(rule: Rule, target: EgressTarget): boolean {
  if (!rule.ports.includes(target.port)) return false;
  if (!rule.wildcard) return rule.host === target.host;
  return target.ip === 0 && target.host.endsWith(`.${rule.host}`);
}

/**
 * Compiles declared hosts and always-allowed ones; a malformed rule throws
 * `BUNTIME_ERR_POOL_EGRESS_RULE_INVALID` naming it, so a typo never silently denies.
 */
export function compilePolicy(policy: {
  readonly app: string;
  readonly hosts: readonly string[];
  readonly alwaysAllow?: readonly string[];
}): CompiledPolicy {
  const rules = [...policy.hosts, ...(policy.alwaysAllow ?? [])].map((raw) => parseRule(policy.app, raw));
  return { app: policy.app, allows: (target) => rules.some((rule) => matches(rule, target)) };
}

/** The rule an app would declare to reach `target`: `host` for ports 80/443, else `host:port`. */
export function suggestRule(target: EgressTarget): string {
  if (!WEB_PORTS.includes(target.port)) return formatTarget(target);
  return target.ip === 6 ? `[${target.host}]` : target.host;
}
