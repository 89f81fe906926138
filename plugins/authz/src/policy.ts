/**
 * What a policy is: an `allow` or `deny` rule on who (roles, users), where (app, path patterns),
 * how (methods) and when (UTC days and hours). Every field but `id` and `effect` is optional, and
 * one left out matches anything. Parsed with zod; a bad one is refused naming the field.
 */
import { BuntimeError } from "@buntime/sdk";
import { z } from "zod";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected "HH:MM" (UTC)' });
const nonEmpty = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(100).optional();

/** The role a request without a signed-in user has, for rules about anonymous callers. */
export const ANONYMOUS = "anonymous";

/** One policy, as stored and as the API takes it. */
export const policySchema = z
  .object({
    /** Stable name: letters, digits, `-` and `_`. */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
      message: "expected 1-64 letters, digits, - or _, starting with a letter or digit",
    }),
    effect: z.enum(["allow", "deny"]),
    description: z.string().max(500).optional(),
    /** Any of these roles (`anonymous` for callers who are not signed in). */
    roles: nonEmpty(z.string().min(1).max(64)),
    /** Any of these usernames. */
    users: nonEmpty(z.string().min(1).max(128)),
    /** Any of these app names. */
    apps: nonEmpty(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "expected an app name" })),
    /** Glob patterns of the full path, e.g. `/notes/admin/**`. */
    paths: nonEmpty(z.string().startsWith("/", { message: 'expected a path pattern starting with "/"' })),
    methods: nonEmpty(z.string().regex(/^[A-Z]+$/, { message: "expected an upper-case HTTP method" })),
    /** When the rule applies, in UTC: `from` to `to` (past midnight when `from` is later). */
    time: z
      .object({ days: nonEmpty(z.enum(DAYS)), from: clock.optional(), to: clock.optional() })
      .strict()
      .refine((time) => (time.from === undefined) === (time.to === undefined), {
        message: "from and to go together",
      })
      .optional(),
  })
  .strict();

/** A policy, validated. */
export type Policy = z.infer<typeof policySchema>;

/**
 * `BUNTIME_ERR_AUTHZ_POLICY_INVALID` naming the first bad field of a refused policy (or query), or
 * the body when it is no JSON at all (no `error`).
 */
export function policyInvalid(error: z.ZodError | undefined, whole = "policy"): BuntimeError {
  if (!error)
    return new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", {
      field: "body",
      details: "expected a JSON object",
    });
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : whole;
  return new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", {
    field,
    details: issue?.message ?? "invalid",
  });
}

/** Parses `input` as a policy, or throws `BUNTIME_ERR_AUTHZ_POLICY_INVALID` naming the first bad field. */
export function parsePolicy(input: unknown): Policy {
  const parsed = policySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw policyInvalid(parsed.error);
}

/** The UTC day name and minutes since midnight of `at`. */
export function utcMoment(at: Date): { day: (typeof DAYS)[number]; minutes: number } {
  return {
    day: DAYS[at.getUTCDay()] as (typeof DAYS)[number],
    minutes: at.getUTCHours() * 60 + at.getUTCMinutes(),
  };
}
