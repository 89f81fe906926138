/**
 * The auth plugin's settings. With none at all, a fresh install stays usable: public apps and
 * kernel API reads stay open, and only admin paths need a sign-in or a token.
 */
import { durationSchema, schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";

const pathPattern = z
  .string()
  .regex(/^\/[^*]*\*?$/, { message: 'expected a path such as "/docs" or a prefix such as "/docs/*"' });

/** Settings of JWT bearer verification. */
export const jwtConfigSchema = z
  .object({
    /** Shared secret for HS256 tokens. */
    secret: z.string().min(16, { message: "expected a secret of at least 16 characters" }).optional(),
    /** Where the public keys of RS256/ES256 tokens are: a JWKS URL. */
    jwksUrl: z.url().optional(),
    /** Or a JWKS file on disk. */
    jwksFile: z.string().min(1).optional(),
    /** Required `iss` claim. */
    issuer: z.string().optional(),
    /** Required `aud` claim. */
    audience: z.string().optional(),
    /** Claim holding the user's roles (an array or a space-separated string). @default "roles" */
    rolesClaim: z.string().default("roles"),
    /** Refuse tokens without an `exp` claim (tokens that never expire). @default true */
    requireExp: z.boolean().default(true),
    /** Leeway for `exp` and `nbf` against clocks that differ. @default "30s" */
    clockSkew: durationSchema.default(30_000),
  })
  .strict();

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** An issuer is reached over https; plain http only on this machine (a test or dev issuer). */
const issuerUrl = z.url().refine(
  (value) => {
    if (!URL.canParse(value)) return true; // z.url() has said what is wrong
    const url = new URL(value);
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  },
  { message: "expected an https URL (http only for 127.0.0.1, localhost or [::1])" },
);

/** Settings of OpenID Connect sign-in. */
export const oidcConfigSchema = z
  .object({
    /**
     * The issuer URL, exactly as the issuer names itself; `/.well-known/openid-configuration` is
     * read from it and must name the same issuer.
     */
    issuer: issuerUrl,
    clientId: z.string().min(1),
    clientSecret: z.string().optional(),
    /** Where the issuer sends users back. @default "<origin of the request>/auth/oidc/callback" */
    redirectUri: z.url().optional(),
    /** @default ["openid", "profile", "email"] */
    scopes: z.array(z.string()).default(["openid", "profile", "email"]),
    /** Claim naming the user. @default "email" (falling back to `sub`) */
    usernameClaim: z.string().default("email"),
    /**
     * Users (by that claim) who get the admin role; never through an e-mail address the issuer
     * has not verified (`email_verified`). @default []
     */
    admins: z.array(z.string()).default([]),
    /** Leeway for the ID token's `exp`, `iat` and `nbf` against clocks that differ. @default "30s" */
    clockSkew: durationSchema.default(30_000),
  })
  .strict();

/** Logs and metrics read the whole kernel's activity: only admins see them by default. */
export const DEFAULT_ADMIN_PATHS = ["/logs/api/*", "/metrics", "/metrics/api/*"] as const;

/** Settings of the auth plugin. */
export const authConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Paths anyone may reach, even under protected or admin prefixes. @default [] */
    publicPaths: z.array(pathPattern).default([]),
    /** Paths that need any signed-in user or token. @default [] */
    protectedPaths: z.array(pathPattern).default([]),
    /**
     * Paths that need the admin role, besides kernel API writes. The default covers the data of
     * the default distribution's logs and metrics plugins (their pages stay open; what the pages
     * show needs an admin). Set `[]` to open them, e.g. for a Prometheus without credentials.
     */
    adminPaths: z.array(pathPattern).default([...DEFAULT_ADMIN_PATHS]),
    /** How long a session lasts. @default "12h" */
    sessionTtl: durationSchema.default(12 * 3_600_000),
    /** Session cookie name. @default "buntime_session" */
    cookieName: z
      .string()
      .regex(/^[\w-]+$/)
      .default("buntime_session"),
    /** Mark cookies `Secure`: always, never, or when the request came over https. @default "auto" */
    secureCookies: z.union([z.boolean(), z.literal("auto")]).default("auto"),
    /** Failed sign-ins allowed per client address, and per account, within `loginWindow`. @default 5 */
    loginAttempts: z.number().int().positive().default(5),
    /** @default "1m" */
    loginWindow: durationSchema.default(60_000),
    /**
     * Replaced by the kernel's `trustProxy`, which every plugin's client address follows; a
     * header believed from anyone let any client pick the address it is limited by.
     */
    clientIpHeader: z
      .unknown()
      .refine((value) => value === undefined, {
        message: "no longer read: set the kernel's trustProxy instead (docs/configuration.md#behind-a-proxy)",
      })
      .optional(),
    /** How long the guard trusts an app's cached visibility before it reads it again. @default "2s" */
    appConfigTtl: durationSchema.default(2_000),
    jwt: jwtConfigSchema.optional(),
    oidc: oidcConfigSchema.optional(),
  })
  .strict();

/** The auth plugin's settings as written in `buntime.config.json`. */
export type AuthConfigInput = z.input<typeof authConfigSchema>;
/** The auth plugin's settings with defaults applied. */
export type ResolvedAuthConfig = z.output<typeof authConfigSchema>;
