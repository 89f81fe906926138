/**
 * Describing routes for the OpenAPI document (`GET /_/api/openapi.json`). A route carries its own
 * description: `describeRoute` for what it does and answers, `validate` for what it takes (a zod
 * schema that both refuses bad input and becomes the request's schema in the document). The
 * kernel reads the descriptions off the kernel API and off every plugin's `routes` app with
 * `describeApp`, so the document cannot drift from the code. Built on `hono-openapi`.
 */
import type { ValidationTargets } from "hono";
import { HTTPException } from "hono/http-exception";
import { generateSpecs, resolver, uniqueSymbol, validator } from "hono-openapi";
import type { OpenAPIV3_1 } from "openapi-types";
import { z } from "zod";
import { BuntimeError } from "./errors.ts";
import { formatZodIssues } from "./zod-issues.ts";

export { describeRoute, resolver } from "hono-openapi";
export type { OpenAPIV3_1 };

/** The body of every error answer: `{ error: { code, message, plugin? } }` (docs/errors.md). */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().describe("a BUNTIME_ERR_… code from docs/errors.md"),
    message: z.string(),
    plugin: z.string().optional().describe("the plugin whose code raised the error"),
  }),
});

/** The error body as an OpenAPI 3.1 schema object (JSON Schema 2020-12 without `$schema`). */
function errorBodyJsonSchema(): OpenAPIV3_1.SchemaObject {
  const { $schema: _, ...schema } = z.toJSONSchema(errorBodySchema, { target: "draft-2020-12" });
  return schema as OpenAPIV3_1.SchemaObject;
}

/**
 * An OpenAPI response whose JSON body is `schema`.
 *
 * @example
 * describeRoute({ responses: { 200: jsonResponse("the rules", z.object({ rules: z.array(rule) })) } })
 */
export function jsonResponse(description: string, schema: z.ZodType) {
  return { description, content: { "application/json": { schema: resolver(schema) } } };
}

/**
 * OpenAPI responses for the error answers of a route, each with the `{ error: { code, message } }`
 * body, keyed by status: `errorResponses({ 401: "not signed in", 404: "no such key" })`.
 */
export function errorResponses(byStatus: Record<number, string>) {
  return Object.fromEntries(
    Object.entries(byStatus).map(([status, description]) => [
      status,
      { description, content: { "application/json": { schema: errorBodyJsonSchema() } } },
    ]),
  );
}

/**
 * How `validate` words a refusal: the details of `BUNTIME_ERR_BAD_REQUEST` (e.g. the shape the
 * route expects around the field-by-field `problems`), or an error of the route's own code.
 */
export type ExplainRefusal = (problems: string, error: z.ZodError) => string | BuntimeError;

const defaultExplain: ExplainRefusal = (problems) => problems;

function refusal(explain: ExplainRefusal, error: z.ZodError, problems: string): Response {
  const said = explain(problems, error);
  const refused =
    said instanceof BuntimeError ? said : new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: said });
  return refused.getResponse();
}

/**
 * Hono middleware validating one part of the request (`json` body, `query`, `param`, `header`,
 * `form`, `cookie`) against a zod schema; the handler reads the parsed value with
 * `c.req.valid(target)`. Bad input (and a body that is no JSON, or sent without
 * `content-type: application/json`) gets 400 `BUNTIME_ERR_BAD_REQUEST` naming each field and what
 * was expected, worded by `explain` (which may instead return an error of the route's own code),
 * and the handler never runs. The schema appears in the
 * OpenAPI document as the request body or parameters.
 *
 * @example
 * app.post("/rules", validate("json", ruleSchema, (problems) => `expected a rule (${problems})`), (c) =>
 *   c.json(store.add(c.req.valid("json")), 201),
 * );
 */
export function validate<Schema extends z.ZodType, Target extends keyof ValidationTargets>(
  target: Target,
  schema: Schema,
  explain: ExplainRefusal = defaultExplain,
) {
  const inner = validator(target, schema, (result, c) => {
    if (result.success) return;
    const issues = new z.ZodError(result.error as z.core.$ZodIssue[]);
    const type = c.req.header("content-type") ?? "";
    const hint =
      target === "json" && !/^application\/([\w.-]+\+)?json\b/i.test(type)
        ? " (send the body with content-type: application/json)"
        : "";
    return refusal(explain, issues, `${formatZodIssues(issues, target === "json" ? "" : target)}${hint}`);
  });
  // Hono throws on a body that is no JSON; the caller gets the same coded 400 as for bad fields
  const guarded = (async (c, next) => {
    try {
      return await inner(c, next);
    } catch (error) {
      if (!(error instanceof HTTPException && error.status === 400)) throw error;
      const issues = new z.ZodError([{ code: "custom", path: [], message: error.message, input: undefined }]);
      return refusal(explain, issues, error.message);
    }
  }) as typeof inner;
  return Object.assign(guarded, {
    [uniqueSymbol]: (inner as unknown as Record<symbol, unknown>)[uniqueSymbol],
  });
}

/** The operations of one Hono app as OpenAPI paths, with the schemas they refer to. */
export interface AppDescription {
  readonly paths: OpenAPIV3_1.PathsObject;
  readonly components: OpenAPIV3_1.ComponentsObject;
}

/**
 * Reads the described routes of a Hono app (`describeRoute` or `validate` on the route) as
 * OpenAPI 3.1 paths, relative to the app. Routes without a description are left out, and so are
 * the 400 answers of `validate`: they are documented with the error body every route answers with.
 */
export async function describeApp(
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its bindings
  app: Parameters<typeof generateSpecs<any, any, any, any>>[0],
): Promise<AppDescription> {
  const document = await generateSpecs(app, {
    // a described route is documented even when its path looks like a file (`/openapi.json`)
    excludeStaticFile: false,
    defaultValidationErrorResponse: {
      description: "the input is invalid (BUNTIME_ERR_BAD_REQUEST, naming each field)",
      content: { "application/json": { schema: errorBodyJsonSchema() } },
    },
  });
  return { paths: withResponseDescriptions(document.paths), components: document.components ?? {} };
}

/**
 * OpenAPI requires at least one response, each with a description; a route described without
 * responses gets none (or `200: {}`) from the generator, which validators refuse. Such a route
 * answers 200 "the answer".
 */
function withResponseDescriptions(paths: OpenAPIV3_1.PathsObject): OpenAPIV3_1.PathsObject {
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item ?? {}) as OpenAPIV3_1.OperationObject[]) {
      if (Object.keys(operation.responses ?? {}).length === 0) operation.responses = { 200: {} as never };
      for (const response of Object.values(operation.responses ?? {})) {
        if (!("$ref" in response) && response.description === undefined) response.description = "the answer";
      }
    }
  }
  return paths;
}
