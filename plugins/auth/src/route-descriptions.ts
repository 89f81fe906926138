/**
 * What the auth plugin's routes take and answer, for the kernel's OpenAPI document
 * (`GET /_/api/openapi.json`), and the schemas its routes read bodies with (`readBody`), so the
 * document shows what the routes check. Bodies are read inside each handler, after the check of
 * who is asking (an unauthorised caller learns nothing of a body's shape from a 400), and as JSON
 * or as a form: the sign-in and first-admin pages post forms, and a refused form gets its page
 * again rather than JSON. Bodies over 16 KiB are refused (413) before they are read.
 */
import { describeRoute, errorResponses, jsonResponse, resolver } from "@buntime/sdk";
import { z } from "zod";

/** `POST /login`'s body. */
export const credentialsSchema = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
  next: z.string().optional().describe("where a form lands after signing in: a path on this site"),
});
/** `POST /setup`'s JSON body: the setup token from the log or `<dataDir>/setup-token`. */
export const setupSchema = z
  .object({ token: z.string(), username: z.string(), password: z.string() })
  .strict();
/** The first-admin form: the same fields, the password twice, and where to land. */
export const setupFormSchema = setupSchema.extend({ confirm: z.string(), next: z.string().optional() });
const KEY_NAME = "expected 1-100 characters";
/** `POST /api/keys`'s body. */
export const keySchema = z.object({ name: z.string().min(1, KEY_NAME).max(100, KEY_NAME) }).strict();
/** `POST /api/password`'s body: the caller's own password, and the new one. */
export const ownPasswordSchema = z.object({ current: z.string(), password: z.string() }).strict();

const ROLE = z.string().regex(/^[\w:-]{1,64}$/);
/** `POST /api/users`'s body; without a password the user signs in by single sign-on only. */
export const newUserSchema = z
  .object({
    username: z.string().min(1).describe("1-128 letters, digits or . @ + - _"),
    password: z.string().min(8).optional(),
    roles: z.array(ROLE).default([]),
  })
  .strict();
/** `PUT /api/users/{name}/roles`'s body. */
export const rolesSchema = z.object({ roles: z.array(ROLE) }).strict();
/** `PUT /api/users/{name}/password`'s body. */
export const passwordSchema = z.object({ password: z.string().describe("at least 8 characters") }).strict();

const userSchema = z.object({
  username: z.string(),
  roles: z.array(z.string()),
  via: z
    .string()
    .optional()
    .describe("how the caller proved who they are: session, api-key, jwt, kernel-token…"),
});
const keyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  username: z.string(),
  createdAt: z.number().describe("epoch milliseconds"),
});

/** A JSON body read with `schema`, and (for the pages' posts) the same fields as a form. */
function body(schema: z.ZodType, form?: z.ZodType) {
  return {
    required: true,
    content: {
      "application/json": { schema: resolver(schema) },
      ...(form ? { "application/x-www-form-urlencoded": { schema: resolver(form) } } : {}),
    },
  };
}
const NEXT = {
  in: "query" as const,
  name: "next",
  required: false,
  schema: { type: "string" as const },
  description: "where to land afterwards: a path on this site (anything else lands on /)",
};
/** A `{name}` of the path (OpenAPI asks every path template to be declared). */
const inPath = (name: string, description: string) => ({
  in: "path" as const,
  name,
  required: true,
  schema: { type: "string" as const },
  description,
});
const USER = inPath("name", "the username");
const html = (description: string) => ({
  description,
  content: { "text/html": { schema: { type: "string" as const } } },
});
const noContent = (description: string) => ({ description });

const SIGNED_IN = {
  401: "not signed in, or a bad token (BUNTIME_ERR_AUTH_REQUIRED, BUNTIME_ERR_AUTH_TOKEN_INVALID)",
};
const ADMIN = { ...SIGNED_IN, 403: "not an admin (BUNTIME_ERR_AUTH_FORBIDDEN)" };
const BODY = {
  400: "a bad body, naming the field (BUNTIME_ERR_AUTH_REQUEST_INVALID)",
  413: "a body over 16 KiB (BUNTIME_ERR_BODY_TOO_LARGE)",
};
const PAGE_POST = {
  ...BODY,
  403: "a cross-site post (BUNTIME_ERR_CSRF_REJECTED)",
  429: "too many failed attempts from this address or for this account (BUNTIME_ERR_AUTH_RATE_LIMITED); Retry-After says when",
};
const FORM_REFUSED = "a form gets its page again, with the reason, under the error's status";

/** The descriptions, one per route of the auth plugin. */
export const authDescriptions = {
  loginPage: describeRoute({
    summary: "The sign-in page (HTML)",
    parameters: [NEXT],
    responses: { 200: html("the page: username and password, and single sign-on when configured") },
  }),
  login: describeRoute({
    summary: "Signs in with a username and password, setting the session cookie",
    description: `JSON gets the user; a form is sent on to next. ${FORM_REFUSED}.`,
    parameters: [NEXT],
    requestBody: body(credentialsSchema, credentialsSchema),
    responses: {
      200: jsonResponse("signed in (JSON)", z.object({ user: userSchema })),
      303: noContent("signed in (a form): on to next"),
      ...errorResponses({
        ...PAGE_POST,
        401: "wrong username or password (BUNTIME_ERR_AUTH_BAD_CREDENTIALS)",
        503: "too many sign-ins at once (BUNTIME_ERR_AUTH_BUSY)",
      }),
    },
  }),
  logout: describeRoute({
    summary: "Signs out: ends the session and clears its cookie",
    responses: {
      200: jsonResponse("signed out", z.object({ ok: z.literal(true) })),
      303: noContent("signed out (a form from a browser): on to the sign-in page"),
      ...errorResponses({ 403: "a cross-site post (BUNTIME_ERR_CSRF_REJECTED)" }),
    },
  }),
  me: describeRoute({
    summary: "Who is calling",
    responses: {
      200: jsonResponse("the caller", z.object({ user: userSchema })),
      ...errorResponses(SIGNED_IN),
    },
  }),
  setupPage: describeRoute({
    summary: "The first-admin page (HTML), while no admin exists",
    parameters: [NEXT],
    responses: {
      200: html("the page: the setup token, a username and the password twice"),
      410: html("an admin exists: the page says so"),
    },
  }),
  setup: describeRoute({
    summary: "Creates the first admin with the setup token, and signs them in",
    description: `JSON gets the user; a form is sent on to next. ${FORM_REFUSED}.`,
    parameters: [NEXT],
    requestBody: body(setupSchema, setupFormSchema),
    responses: {
      201: jsonResponse("the first admin (JSON)", z.object({ user: userSchema })),
      303: noContent("the first admin (a form): on to next"),
      ...errorResponses({
        ...PAGE_POST,
        400: "a bad body, or a form's two passwords differ (BUNTIME_ERR_AUTH_REQUEST_INVALID)",
        403: "a wrong setup token, an admin exists already (BUNTIME_ERR_AUTH_SETUP_REFUSED), or a cross-site post",
      }),
    },
  }),
  listKeys: describeRoute({
    summary: "The caller's API keys (never the keys themselves)",
    responses: {
      200: jsonResponse("the keys", z.object({ keys: z.array(keyInfoSchema) })),
      ...errorResponses(SIGNED_IN),
    },
  }),
  createKey: describeRoute({
    summary: "Creates an API key acting as the caller; the key is in this answer only",
    requestBody: body(keySchema),
    responses: {
      201: jsonResponse("the key", keyInfoSchema.extend({ key: z.string().describe("bak_…, shown once") })),
      ...errorResponses({
        ...SIGNED_IN,
        ...BODY,
        400: "a bad name, or the caller is the kernel token, not a user (BUNTIME_ERR_AUTH_REQUEST_INVALID)",
      }),
    },
  }),
  revokeKey: describeRoute({
    summary: "Revokes one of the caller's API keys",
    parameters: [inPath("id", "the key's id, as listed")],
    responses: {
      204: noContent("revoked"),
      ...errorResponses({ ...SIGNED_IN, 404: "no such key of the caller (BUNTIME_ERR_AUTH_NOT_FOUND)" }),
    },
  }),
  ownPassword: describeRoute({
    summary: "Changes the caller's password; their other sessions end",
    requestBody: body(ownPasswordSchema),
    responses: {
      204: noContent("changed"),
      ...errorResponses({
        ...SIGNED_IN,
        ...BODY,
        401: "not signed in, or current is wrong (BUNTIME_ERR_AUTH_BAD_CREDENTIALS)",
        429: "too many wrong current passwords (BUNTIME_ERR_AUTH_RATE_LIMITED)",
      }),
    },
  }),
  listUsers: describeRoute({
    summary: "Every user (admins only)",
    responses: {
      200: jsonResponse("the users", z.object({ users: z.array(userSchema.omit({ via: true })) })),
      ...errorResponses(ADMIN),
    },
  }),
  createUser: describeRoute({
    summary: "Creates a user (admins only)",
    requestBody: body(newUserSchema),
    responses: {
      201: jsonResponse("the user", z.object({ user: userSchema.omit({ via: true }) })),
      ...errorResponses({ ...ADMIN, ...BODY, 409: "the name is taken (BUNTIME_ERR_AUTH_USER_EXISTS)" }),
    },
  }),
  setRoles: describeRoute({
    summary: "Replaces a user's roles (admins only)",
    requestBody: body(rolesSchema),
    parameters: [USER],
    responses: {
      200: jsonResponse("the user", z.object({ user: userSchema.omit({ via: true }) })),
      ...errorResponses({ ...ADMIN, ...BODY, 404: "no such user (BUNTIME_ERR_AUTH_NOT_FOUND)" }),
    },
  }),
  resetPassword: describeRoute({
    summary: "Sets a user's password (admins only); every session of that user ends",
    requestBody: body(passwordSchema),
    parameters: [USER],
    responses: {
      204: noContent("set"),
      ...errorResponses({ ...ADMIN, ...BODY, 404: "no such user (BUNTIME_ERR_AUTH_NOT_FOUND)" }),
    },
  }),
  deleteUser: describeRoute({
    summary: "Deletes a user (admins only); every session of that user ends",
    parameters: [USER],
    responses: {
      204: noContent("deleted"),
      ...errorResponses({ ...ADMIN, 404: "no such user (BUNTIME_ERR_AUTH_NOT_FOUND)" }),
    },
  }),
  oidcLogin: describeRoute({
    summary: "Single sign-on: sends the browser to the OpenID Connect issuer",
    parameters: [NEXT],
    responses: {
      302: noContent("to the issuer's authorization endpoint"),
      ...errorResponses({ 404: "single sign-on is not configured (BUNTIME_ERR_AUTH_NOT_FOUND)" }),
    },
  }),
  oidcCallback: describeRoute({
    summary: "Single sign-on: where the issuer sends the browser back; signs the user in",
    parameters: ["code", "state", "error", "error_description"].map((name) => ({
      in: "query" as const,
      name,
      required: false,
      schema: { type: "string" as const },
      description: "as the issuer sends it (OpenID Connect authorization response)",
    })),
    responses: {
      302: noContent("signed in: on to the next the sign-on started with"),
      ...errorResponses({
        400: "no code or state: the issuer's error, if it sent one (BUNTIME_ERR_AUTH_REQUEST_INVALID)",
        404: "single sign-on is not configured (BUNTIME_ERR_AUTH_NOT_FOUND)",
        502:
          "an unknown or expired state, an issuer that could not be asked or whose answer did not hold, or an " +
          "unverified address naming an admin (BUNTIME_ERR_AUTH_OIDC_FAILED)",
      }),
    },
  }),
};
