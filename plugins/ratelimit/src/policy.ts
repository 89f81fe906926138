/** Policies: their schema, and resolving one into the form stores use. */
import { BuntimeError, durationSchema, formatZodIssues, type RateLimitPolicy } from "@buntime/sdk";
import { z } from "zod";
import type { ResolvedPolicy } from "./types.ts";

/** The fields a policy and a rule share. */
export const policyFields = {
  /** Requests per window (sliding window) or tokens refilled per window (token bucket). */
  limit: z.number().int().positive(),
  /** The window: ms or a duration such as "1m". */
  window: durationSchema,
  /** @default "sliding-window" */
  algorithm: z.enum(["token-bucket", "sliding-window"]).default("sliding-window"),
  /** Token bucket only: the bucket size. @default limit */
  burst: z.number().int().positive().optional(),
};

const policySchema = z
  .object({
    name: z.string().min(1).optional(),
    ...policyFields,
    window: durationSchema.optional(),
    /** The window in ms, for callers that speak `windowMs`. */
    windowMs: z.number().positive().optional(),
  })
  .strict()
  .refine((policy) => (policy.window === undefined) !== (policy.windowMs === undefined), {
    message: "give window or windowMs, not both",
    path: ["window"],
  })
  .transform(({ windowMs, ...policy }) => {
    const window = (policy.window ?? windowMs) as number;
    return { ...policy, window, name: policy.name ?? `${policy.algorithm}:${policy.limit}/${window}` };
  });

/** Applies defaults to parsed policy fields. */
export function resolvePolicy(parsed: {
  name: string;
  limit: number;
  window: number;
  algorithm: ResolvedPolicy["algorithm"];
  burst?: number | undefined;
}): ResolvedPolicy {
  return {
    name: parsed.name,
    limit: parsed.limit,
    window: Math.max(1, Math.round(parsed.window)),
    algorithm: parsed.algorithm,
    capacity: parsed.algorithm === "token-bucket" ? (parsed.burst ?? parsed.limit) : parsed.limit,
  };
}

const resolved = new WeakMap<RateLimitPolicy, ResolvedPolicy>();

/** Validates a policy passed to the service (once per policy object). */
export function policyOf(policy: RateLimitPolicy): ResolvedPolicy {
  const known = resolved.get(policy);
  if (known) return known;
  const parsed = policySchema.safeParse(policy);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
      source: `rate limit policy ${JSON.stringify(policy?.name)}`,
      details: formatZodIssues(parsed.error),
    });
  }
  const result = resolvePolicy(parsed.data);
  resolved.set(policy, result);
  return result;
}
