/**
 * What the marketplace's API takes and answers, for the kernel's OpenAPI document
 * (`GET /_/api/openapi.json`). Its pages (`/`, `/plugin/…`, `/installed`, `/audit`) are HTML for
 * people and are not described. The routes check who asks before they read a body, so bodies are
 * checked in the handlers, against the schemas shown here.
 */
import { describeRoute, errorResponses, jsonResponse, packageNameSchema, resolver } from "@buntime/sdk";
import { z } from "zod";
import { ACTIONS } from "./plans.ts";

/** `POST api/apply`'s body; without `acceptPermissions`, `GET api/plan`'s query. */
export const applySchema = z
  .object({
    action: z.enum(ACTIONS),
    // names and versions become CLI arguments: only real ones, never anything that reads as a flag
    name: packageNameSchema,
    /** The version the plan showed (install, upgrade): the apply takes exactly it. */
    version: z
      .string()
      .max(256)
      .refine((v) => Bun.semver.satisfies(v, v) && !v.startsWith("-"), {
        error: "expected an exact version such as 1.2.0",
      })
      .optional()
      .describe("the version the plan showed (install, upgrade)"),
    /** The person accepted the widened permissions the plan showed. */
    acceptPermissions: z.boolean().default(false),
  })
  .strict();

/** `POST api/pin`'s body. */
export const pinSchema = z.object({ name: packageNameSchema, pinned: z.boolean() }).strict();

const ADMIN_ERRORS = {
  401: "not signed in",
  403: "not an admin, or not on loopback without the auth plugin (BUNTIME_ERR_MARKETPLACE_ADMIN_ONLY)",
};
const BAD = { 400: "a body other than application/json of the schema (BUNTIME_ERR_BAD_REQUEST)" };
const planSchema = z
  .object({ steps: z.array(z.object({ name: z.string() }).catchall(z.unknown())) })
  .catchall(z.unknown());

/** The descriptions, one per API route. */
export const marketplaceDescriptions = {
  exportDistro: describeRoute({
    summary: "The installed set as a distribution manifest (buntime.distro.json)",
    responses: { 200: { description: "buntime.distro.json" }, ...errorResponses(ADMIN_ERRORS) },
  }),
  pin: describeRoute({
    summary: "Pins an installed plugin (update-all leaves it alone), or unpins it",
    requestBody: { required: true, content: { "application/json": { schema: resolver(pinSchema) } } },
    responses: {
      200: jsonResponse("pinned or not", pinSchema),
      ...errorResponses({
        ...ADMIN_ERRORS,
        ...BAD,
        404: "not installed (BUNTIME_ERR_INSTALL_NOT_INSTALLED)",
      }),
    },
  }),
  audit: describeRoute({
    summary: "The audit trail: one JSON line per install, upgrade, removal or pin",
    responses: {
      200: { description: "JSON lines", content: { "application/x-ndjson": { schema: { type: "string" } } } },
      ...errorResponses(ADMIN_ERRORS),
    },
  }),
  plan: describeRoute({
    summary: "What an action would change: the plugins, versions and permissions, without doing it",
    parameters: [
      { in: "query", name: "action", required: true, schema: { type: "string", enum: [...ACTIONS] } },
      { in: "query", name: "name", required: true, schema: { type: "string" } },
      { in: "query", name: "version", schema: { type: "string" } },
    ],
    responses: { 200: jsonResponse("the plan", planSchema), ...errorResponses({ ...ADMIN_ERRORS, ...BAD }) },
  }),
  apply: describeRoute({
    summary: "Plans the action again and applies it as a job; follow it at api/jobs/{id}/events",
    requestBody: { required: true, content: { "application/json": { schema: resolver(applySchema) } } },
    responses: {
      200: jsonResponse("nothing to do", z.object({ job: z.null(), message: z.string() })),
      202: jsonResponse("started", z.object({ job: z.string(), events: z.string(), plan: planSchema })),
      ...errorResponses({
        ...ADMIN_ERRORS,
        ...BAD,
        409: "widened permissions not accepted, or a job runs already (BUNTIME_ERR_MARKETPLACE_CONSENT_REQUIRED, BUNTIME_ERR_MARKETPLACE_BUSY)",
      }),
    },
  }),
  jobEvents: describeRoute({
    summary: "A job's progress as server-sent `job` events, from the first",
    responses: {
      200: {
        description: "an event stream",
        content: { "text/event-stream": { schema: { type: "string" } } },
      },
      ...errorResponses(ADMIN_ERRORS),
    },
  }),
};
