/** The rate limit plugin's settings. */
import { schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";
import { policyFields } from "./policy.ts";

/** One rule: which requests it counts, what it keys them by, and its limit. */
export const ruleSchema = z
  .object({
    /** Names the rule in 429 messages and its counters. @default "<methods> <path>" */
    name: z.string().min(1).optional(),
    /** `/login` matches that path only; `/api/*` matches `/api` and everything under it; `/*` all. */
    path: z.string().regex(/^\/[^*]*\*?$/, "expected a path such as /login or /api/* (one * at the end)"),
    /** Methods counted, e.g. ["POST"]. @default every method */
    methods: z.array(z.string().min(1)).nonempty().optional(),
    /** Whose counter a request takes from. @default "ip" */
    key: z.enum(["ip", "user", "apiKey", "route"]).default("ip"),
    ...policyFields,
  })
  .strict();

/** Settings of `@buntime/plugin-ratelimit`; with none, it limits nothing. */
export const ratelimitConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Where counters live. @default "memory" */
    store: z.enum(["memory", "redis"]).default("memory"),
    /** Redis URL for store "redis". @default env REDIS_URL */
    redisUrl: z.string().min(1).optional(),
    /** After Redis could not be reached, ms before the next attempt (requests fail fast meanwhile). @default 1000 */
    reconnectDelay: z.number().int().nonnegative().default(1000),
    /** Ms a Redis command may take before it counts as a store failure. @default 1000 */
    commandTimeout: z.number().int().positive().default(1000),
    /** Prefix of Redis keys; kernels sharing counters share it. @default "buntime:ratelimit:" */
    prefix: z.string().default("buntime:ratelimit:"),
    /** Memory store: most counters kept. @default 100000 */
    maxKeys: z.number().int().positive().default(100_000),
    /**
     * Replaced by the kernel's `trustProxy`, which every plugin's client address follows; a
     * header believed from anyone let any client pick the address it is limited by.
     */
    ipHeader: z
      .unknown()
      .refine((value) => value === undefined, {
        message: "no longer read: set the kernel's trustProxy instead (docs/configuration.md#behind-a-proxy)",
      })
      .optional(),
    /** When the store fails: let requests through (true) or answer 503 (false). @default true */
    failOpen: z.boolean().default(true),
    /** The rules; every matching rule counts a request, and any of them may refuse it. */
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

/** Settings after defaults. */
export type ResolvedRatelimitConfig = z.output<typeof ratelimitConfigSchema>;
/** One rule after defaults. */
export type ResolvedRule = z.output<typeof ruleSchema>;
