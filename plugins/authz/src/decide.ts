/**
 * The decision: of the policies that match a request, a `deny` wins over any `allow`; with none
 * matching, the request is denied (default deny). The answer says which rule decided and why,
 * which the guard logs and the explain endpoint returns.
 */
import { ANONYMOUS, type Policy, utcMoment } from "./policy.ts";

/** What a decision is about. */
export interface Subject {
  readonly user: string | undefined;
  readonly roles: readonly string[];
  readonly app: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly at: Date;
}

/** A decision and its reasons. */
export interface Decision {
  readonly allowed: boolean;
  /** The id of the policy that decided; undefined when none matched (default deny). */
  readonly rule: string | undefined;
  readonly reason: string;
  /** Every policy that matched, in the order they were read. */
  readonly matched: readonly string[];
}

const globs = new Map<string, Bun.Glob>();
const MAX_GLOBS = 1_000;

function globOf(pattern: string): Bun.Glob {
  let glob = globs.get(pattern);
  if (!glob) {
    if (globs.size >= MAX_GLOBS) globs.clear();
    glob = new Bun.Glob(pattern);
    globs.set(pattern, glob);
  }
  return glob;
}

function inWindow(time: NonNullable<Policy["time"]>, at: Date): boolean {
  const { day, minutes } = utcMoment(at);
  if (time.days && !time.days.includes(day)) return false;
  if (time.from === undefined || time.to === undefined) return true;
  const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));
  const from = toMinutes(time.from);
  const to = toMinutes(time.to);
  return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}

/** True when every field `policy` sets matches `subject`. */
export function matches(policy: Policy, subject: Subject): boolean {
  const roles = subject.user === undefined ? [ANONYMOUS] : subject.roles;
  if (policy.roles && !policy.roles.some((role) => roles.includes(role))) return false;
  if (policy.users && (subject.user === undefined || !policy.users.includes(subject.user))) return false;
  if (policy.apps && (subject.app === undefined || !policy.apps.includes(subject.app))) return false;
  if (policy.methods && !policy.methods.includes(subject.method)) return false;
  if (policy.paths && !policy.paths.some((pattern) => globOf(pattern).match(subject.path))) return false;
  return policy.time === undefined || inWindow(policy.time, subject.at);
}

/** Decides `subject` against `policies`. */
export function decide(policies: readonly Policy[], subject: Subject): Decision {
  const matched = policies.filter((policy) => matches(policy, subject));
  const ids = matched.map((policy) => policy.id);
  const deny = matched.find((policy) => policy.effect === "deny");
  if (deny)
    return { allowed: false, rule: deny.id, reason: `denied by ${deny.id} (a deny rule wins)`, matched: ids };
  const allow = matched[0];
  if (allow) return { allowed: true, rule: allow.id, reason: `allowed by ${allow.id}`, matched: ids };
  return { allowed: false, rule: undefined, reason: "no policy matches: denied by default", matched: ids };
}
