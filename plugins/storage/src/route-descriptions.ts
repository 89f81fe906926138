/**
 * What the storage HTTP API's routes take and answer, for the kernel's OpenAPI document
 * (`GET /_/api/openapi.json`). The same descriptions serve an app's own keys (`/api/…`) and a
 * shared space's (`/api/shared/{space}/…`).
 */
import { BuntimeError, describeRoute, errorResponses, jsonResponse, validate } from "@buntime/sdk";
import { z } from "zod";

const entrySchema = z.object({
  key: z.string(),
  value: z.unknown(),
  version: z.string().describe("also the ETag of a read"),
  expiresAt: z.number().nullable().describe("ms since the epoch; null when it never expires"),
});
const committedSchema = z.object({ key: z.string(), version: z.string() });
const messageSchema = z.object({ id: z.string(), value: z.unknown(), attempts: z.number().int() });

/** Every route needs the calling app's token; a shared space needs a grant. */
const APP_ERRORS = {
  401: "no app token (BUNTIME_ERR_STORAGE_APP_UNAUTHORIZED)",
  403: "the app has no grant on the shared space (BUNTIME_ERR_STORAGE_SPACE_FORBIDDEN)",
};
const WRITE_ERRORS = {
  ...APP_ERRORS,
  400: "a bad key, body or If-Match (BUNTIME_ERR_STORAGE_KEY_INVALID, BUNTIME_ERR_STORAGE_REQUEST_INVALID)",
  409: "If-Match or If-None-Match did not hold (BUNTIME_ERR_STORAGE_VERSION_MISMATCH)",
  413: "over the value or batch size limit, or the quota (BUNTIME_ERR_STORAGE_VALUE_TOO_LARGE)",
};
const wholeNumber = z.string().regex(/^\d+$/, { message: "must be a whole number" });
const requestInvalid = (details: string) =>
  new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", { details });

/** `GET …/keys`' query, refused naming the parameter. */
export const listQuery = validate(
  "query",
  z.object({
    prefix: z.string().optional(),
    cursor: z.string().optional().describe("from the previous page"),
    limit: wholeNumber.optional(),
  }),
  (problems) => requestInvalid(problems),
);

/** `PUT …/keys/{key}`'s query. */
export const ttlQuery = validate(
  "query",
  z.object({ ttl: wholeNumber.optional().describe("ms until the key expires") }),
  (problems) => requestInvalid(problems),
);

/** `POST …/batch`'s body; each operation is checked by the store. */
export const batchBody = validate(
  "json",
  z.object({
    operations: z
      .array(z.unknown())
      .describe(
        "each {type: set, key, value, ttl?, version?}, {type: delete, key, version?} or {type: check, key, version|null}; checked by the store",
      ),
  }),
  (_, error) => requestInvalid(error ? 'the body must be { "operations": [...] }' : "the body is not JSON"),
);

/** The descriptions, one per route of the storage API. */
export const storageDescriptions = {
  listKeys: describeRoute({
    summary: "A page of keys under a prefix",
    responses: {
      200: jsonResponse(
        "the page",
        z.object({
          entries: z.array(entrySchema),
          cursor: z.string().optional().describe("absent on the last page"),
        }),
      ),
      ...errorResponses({ ...APP_ERRORS, 400: "a bad query (BUNTIME_ERR_STORAGE_REQUEST_INVALID)" }),
    },
  }),
  batch: describeRoute({
    summary: "Operations applied atomically: all or none",
    responses: {
      200: jsonResponse("applied", z.object({ version: z.string() })),
      ...errorResponses(WRITE_ERRORS),
    },
  }),
  getKey: describeRoute({
    summary: "One key, with its version as the ETag",
    responses: {
      200: jsonResponse("the entry", entrySchema),
      ...errorResponses({ ...APP_ERRORS, 404: "no such key (BUNTIME_ERR_STORAGE_KEY_NOT_FOUND)" }),
    },
  }),
  putKey: describeRoute({
    summary:
      'Sets a key to the JSON body; If-Match: "<version>" makes it conditional, If-None-Match: * create-only',
    requestBody: { required: true, content: { "application/json": { schema: {} } } },
    responses: { 200: jsonResponse("set", committedSchema), ...errorResponses(WRITE_ERRORS) },
  }),
  deleteKey: describeRoute({
    summary: "Deletes a key; If-Match makes it conditional",
    responses: {
      204: { description: "deleted (the ETag names the new version)" },
      ...errorResponses(WRITE_ERRORS),
    },
  }),
  enqueue: describeRoute({
    summary: "Adds a message to a queue",
    requestBody: {
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            properties: { value: {}, delay: { type: "number", description: "ms before delivery" } },
            required: ["value"],
          },
        },
      },
    },
    responses: { 201: jsonResponse("queued", z.object({ id: z.string() })), ...errorResponses(WRITE_ERRORS) },
  }),
  receive: describeRoute({
    summary: "Leases the next due message",
    responses: { 200: jsonResponse("the message", messageSchema), 204: { description: "none is due" } },
  }),
  verdict: describeRoute({
    summary: "ack (done) or nack (deliver again later; body { reason? }) a leased message",
    responses: {
      204: { description: "done" },
      ...errorResponses({ ...APP_ERRORS, 404: "the lease ran out (BUNTIME_ERR_STORAGE_KEY_NOT_FOUND)" }),
    },
  }),
  dead: describeRoute({
    summary: "The queue's dead letters",
    responses: {
      200: jsonResponse(
        "the dead letters",
        z.object({ messages: z.array(messageSchema.extend({ reason: z.string(), diedAt: z.number() })) }),
      ),
    },
  }),
  watch: describeRoute({
    summary: "Server-sent `change` events for keys (?key=, repeated) or a prefix (?prefix=)",
    responses: {
      200: {
        description: "an event stream",
        content: { "text/event-stream": { schema: { type: "string" } } },
      },
    },
  }),
};
