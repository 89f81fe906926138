/**
 * A proxy rule: which requests it takes (a path pattern, optionally methods) and how it
 * forwards them (upstream URL, path rewrite, header changes, timeout).
 */
import { durationSchema } from "@buntime/sdk";
import { z } from "zod";

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: "expected a header name" });

const headerChanges = z
  .object({
    /** Headers to set (replacing any value already there). */
    set: z.record(headerName, z.string()).default({}),
    /** Headers to drop. */
    remove: z.array(headerName).default([]),
  })
  .strict();

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** One rule, as written in the settings or sent to the rules API. */
export const ruleSchema = z
  .object({
    /** A name for the rule, unique among rules: letters, digits, `-` and `_`. */
    id: z.string().regex(/^[\w-]{1,64}$/, { message: "expected 1-64 letters, digits, - or _" }),
    /** `/exact/path`, or `/prefix/*` for the prefix and everything below it. */
    path: z.string().regex(/^\/[^*?#]*(\*)?$/, { message: 'expected a path such as "/api" or "/api/*"' }),
    /** Where requests go, e.g. `http://127.0.0.1:9000` or `https://api.example.com/v2`. */
    upstream: z
      .url({ message: "expected an http(s) URL" })
      .refine((url) => /^https?:\/\//.test(url), { message: "expected an http(s) URL" }),
    /** Only these methods (any when empty). @default [] */
    methods: z.array(z.string().toUpperCase()).default([]),
    /** Drop the pattern's prefix from the path before forwarding. @default false */
    stripPrefix: z.boolean().default(false),
    /** A regular expression replace on the path (after `stripPrefix`), e.g. `{ from: "^/v1", to: "/v2" }`. */
    rewrite: z
      .object({
        from: z.string().refine(compiles, { message: "expected a valid regular expression" }),
        to: z.string(),
      })
      .strict()
      .optional(),
    /** Changes to the request's headers. */
    requestHeaders: headerChanges.default({ set: {}, remove: [] }),
    /** Changes to the response's headers. */
    responseHeaders: headerChanges.default({ set: {}, remove: [] }),
    /**
     * How long the upstream may take to start answering; then 504. The kernel's `hookTimeout`
     * (5 s unless raised) bounds it too. @default "4s"
     */
    timeout: durationSchema.default(4_000),
    /** Keep the client's `Host` header rather than the upstream's. @default false */
    preserveHost: z.boolean().default(false),
  })
  .strict();

/** A rule as written. */
export type ProxyRuleInput = z.input<typeof ruleSchema>;
/** A rule with defaults applied. */
export type ProxyRule = z.output<typeof ruleSchema>;
