/**
 * Describing routes for the OpenAPI document (`GET /_/api/openapi.json`). A route carries its own
 * description: `describeRoute` for what it does and answers, `validate` for what it takes (a zod
 * schema that both refuses bad input and becomes the request's schema in the document). The
 * kernel reads the descriptions off the kernel API and off every plugin's `routes` app with
 * `describeApp`, so the document cannot drift from the code. Built on `hono-openapi`.
 */
import type { ValidationTargets } from "hono";
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
 * `error` is undefined when the body is no JSON at all (`problems` then says so).
 */
export type ExplainRefusal = (problems: string, error: z.ZodError | undefined) => string | BuntimeError;

const defaultExplain: ExplainRefusal = (problems) => problems;

/** What `problems` says of a body that is no JSON. */
const NOT_JSON = "expected a JSON body";

function refusal(explain: ExplainRefusal, error: z.ZodError | undefined, prefix = ""): Response {
  const said = explain(error ? formatZodIssues(error, prefix) : NOT_JSON, error);
  const refused =
    said instanceof BuntimeError ? said : new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: said });
  return refused.getResponse();
}

/**
 * Hono middleware validating one part of the request (`json` body, `query`, `param`, `header`,
 * `form`, `cookie`) against a zod schema; the handler reads the parsed value with
 * `c.req.valid(target)`. Bad input (and a body that is no JSON) gets 400
 * `BUNTIME_ERR_BAD_REQUEST` naming each field and what was expected, worded by `explain` (which
 * may instead return an error of the route's own code), and the handler never runs. The schema
 * appears in the OpenAPI document as the request body or parameters.
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
  const prefix = target === "json" ? "" : target;
  const described = validator(target, schema, (result) => {
    if (result.success) return;
    return refusal(explain, new z.ZodError(result.error as z.core.$ZodIssue[]), prefix);
  });
  // The generator reads the schema off this property; the custom middleware below keeps it.
  const metadata = { [uniqueSymbol]: (described as unknown as Record<symbol, unknown>)[uniqueSymbol] };
  if (target !== "json") return described;
  // A JSON body is read whatever its content type says (as `c.req.json()` does), so a client
  // that leaves the header out gets the same answer as one that sends it.
  const jsonBody = (async (c, next) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return refusal(explain, undefined);
    }
    const parsed = await schema.safeParseAsync(body);
    if (!parsed.success) return refusal(explain, parsed.error);
    c.req.addValidatedData("json", parsed.data as object);
    await next();
  }) as typeof described;
  return Object.assign(jsonBody, metadata) as typeof described;
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
  const paths = withPathParameters(withResponseDescriptions(document.paths));
  return { paths, components: document.components ?? {} };
}

/**
 * OpenAPI requires every `{name}` of a path to be declared as a path parameter; a route that
 * described only its body or query would leave them out. Each undeclared one is added as a
 * required string, which is what a Hono path parameter is.
 */
function withPathParameters(paths: OpenAPIV3_1.PathsObject): OpenAPIV3_1.PathsObject {
  for (const [path, item] of Object.entries(paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
    for (const operation of Object.values(item ?? {}) as OpenAPIV3_1.OperationObject[]) {
      const declared = new Set(
        (operation.parameters ?? []).flatMap((parameter) =>
          "in" in parameter && parameter.in === "path" ? [parameter.name] : [],
        ),
      );
      const missing = names.filter((name) => !declared.has(name));
      if (missing.length === 0) continue;
      operation.parameters = [
        ...(operation.parameters ?? []),
        ...missing.map((name) => ({ name, in: "path", required: true, schema: { type: "string" as const } })),
      ];
    }
  }
  return paths;
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

/**
 * The operations of an OpenAPI document as `"<method> <path>"` lines, e.g. `get /notes/items/{id}`:
 * what a plugin's test checks its routes against in `GET /_/api/openapi.json`.
 */
export function operationsOf(document: Pick<OpenAPIV3_1.Document, "paths">): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item ?? {}).map((method) => `${method} ${path}`),
  );
}
