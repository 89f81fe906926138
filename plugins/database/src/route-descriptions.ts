/**
 * What the database plugin's routes take and answer, for the kernel's OpenAPI document
 * (`GET /_/api/openapi.json`): the libSQL remote protocol (Hrana over HTTP, v2) for apps, and the
 * admin API (backups, restores, the SQL console). The routes check who asks before they read a
 * body, so the bodies are checked in the handlers, against the same zod schemas shown here.
 */
import { describeRoute, errorResponses, jsonResponse, resolver } from "@buntime/sdk";
import { z } from "zod";
import { pipelineRequestSchema } from "./protocol.ts";

/** `POST <base>/api/restores/{app}`. */
export const restoreSchema = z.object({ backup: z.string().min(1).max(512) }).strict();

/** `POST <base>/api/console/query`. */
export const querySchema = z
  .object({ database: z.string().min(1).max(300), sql: z.string().min(1).max(100_000) })
  .strict();

const jsonBody = (schema: z.ZodType) => ({
  required: true,
  content: { "application/json": { schema: resolver(schema) } },
});
const APP_ERRORS = {
  400: "a body the protocol does not know (BUNTIME_ERR_DATABASE_REQUEST_INVALID)",
  401: "no app token (BUNTIME_ERR_DATABASE_APP_UNAUTHORIZED)",
  403: "another app's database (BUNTIME_ERR_DATABASE_FORBIDDEN)",
  413: "a body over maxRequestBytes",
};
const ADMIN_ERRORS = {
  401: "not signed in (BUNTIME_ERR_DATABASE_ADMIN_REQUIRED)",
  403: "not an admin (BUNTIME_ERR_DATABASE_ADMIN_ONLY)",
  404: "no such database or backup (BUNTIME_ERR_DATABASE_UNKNOWN)",
};
const backupSchema = z.object({ backup: z.string(), bytes: z.number().int() });

/** The descriptions, one per route. */
export const databaseDescriptions = {
  versions: describeRoute({
    summary: "Hrana v2 is served (the libSQL client asks before it sends pipelines)",
    responses: { 200: { description: "v2 is served" } },
  }),
  pipeline: describeRoute({
    summary: "Runs a Hrana v2 pipeline on the app's database (libSQL remote protocol)",
    requestBody: jsonBody(pipelineRequestSchema),
    responses: {
      200: jsonResponse(
        "one result per request, and the baton that continues the stream",
        z.object({ baton: z.string().nullable(), base_url: z.null(), results: z.array(z.unknown()) }),
      ),
      ...errorResponses(APP_ERRORS),
    },
  }),
  backup: describeRoute({
    summary: "Writes a backup of the database (a SQLite copy, or a PostgreSQL dump)",
    responses: {
      201: jsonResponse(
        "written",
        z
          .object({ database: z.string(), backup: z.string(), path: z.string(), bytes: z.number().int() })
          .catchall(z.unknown()),
      ),
      ...errorResponses(ADMIN_ERRORS),
    },
  }),
  backups: describeRoute({
    summary: "The database's backups, newest first",
    responses: {
      200: jsonResponse("the backups", z.object({ database: z.string(), backups: z.array(backupSchema) })),
      ...errorResponses(ADMIN_ERRORS),
    },
  }),
  restore: describeRoute({
    summary: "Puts a backup back, by its file name from the list",
    requestBody: jsonBody(restoreSchema),
    responses: {
      200: jsonResponse("restored", z.object({ database: z.string(), restored: z.string() })),
      ...errorResponses({
        ...ADMIN_ERRORS,
        400: "a body other than {backup} (BUNTIME_ERR_DATABASE_REQUEST_INVALID)",
      }),
    },
  }),
  databases: describeRoute({
    summary: "The SQL console: the databases and the console's limits",
    responses: {
      200: jsonResponse(
        "the databases",
        z.object({
          who: z.string(),
          backend: z.enum(["sqlite", "postgres"]),
          maxRows: z.number().int(),
          statementTimeout: z.number(),
          databases: z.array(z.unknown()),
        }),
      ),
      ...errorResponses(ADMIN_ERRORS),
    },
  }),
  tables: describeRoute({
    summary: "The SQL console: a database's tables and their columns",
    parameters: [{ in: "query", name: "database", required: true, schema: { type: "string" } }],
    responses: {
      200: jsonResponse("the tables", z.object({ database: z.string(), tables: z.array(z.unknown()) })),
      ...errorResponses(ADMIN_ERRORS),
    },
  }),
  query: describeRoute({
    summary: "The SQL console: runs one statement as the database's app would, its rows capped",
    requestBody: jsonBody(querySchema),
    responses: {
      200: jsonResponse(
        "the result",
        z
          .object({
            columns: z.array(z.unknown()),
            rows: z.array(z.unknown()),
            rowCount: z.number().int(),
            ms: z.number(),
          })
          .catchall(z.unknown()),
      ),
      ...errorResponses({
        ...ADMIN_ERRORS,
        400: "a bad body, or the database refused the statement (BUNTIME_ERR_DATABASE_STATEMENT_FAILED, with its position)",
      }),
    },
  }),
};
