import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { z } from "zod";
import {
  BuntimeError,
  describeApp,
  describeRoute,
  errorResponses,
  jsonResponse,
  validate,
} from "../src/index.ts";

const rule = z.object({ path: z.string().startsWith("/"), limit: z.number().int().positive() }).strict();

function rulesApp() {
  const app = new Hono();
  app.post(
    "/rules/:id",
    describeRoute({
      summary: "Adds a rule",
      responses: { 201: jsonResponse("the rule", rule), ...errorResponses({ 401: "not signed in" }) },
    }),
    validate("param", z.object({ id: z.string().regex(/^[a-z]+$/) })),
    validate("json", rule, (problems) => `expected a rule {path, limit} (${problems})`),
    (c) => c.json({ ...c.req.valid("json"), id: c.req.valid("param").id }, 201),
  );
  app.get("/undescribed", (c) => c.text("hidden"));
  return app;
}

const post = (app: Hono, path: string, body: string, type = "application/json") =>
  app.request(path, { method: "POST", body, headers: { "content-type": type } });

describe("validate", () => {
  test("passes the parsed body to the handler", async () => {
    const response = await post(rulesApp(), "/rules/a", JSON.stringify({ path: "/x", limit: 2 }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ path: "/x", limit: 2, id: "a" });
  });

  test("refuses bad fields with BUNTIME_ERR_BAD_REQUEST naming each field", async () => {
    const response = await post(rulesApp(), "/rules/a", JSON.stringify({ path: "x", limit: -1, extra: 1 }));
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
    expect(error.message).toContain("expected a rule {path, limit}");
    expect(error.message).toContain("path:");
    expect(error.message).toContain("limit:");
  });

  test("refuses a body that is no JSON with the same code, and reads JSON sent without its content type", async () => {
    const notJson = await post(rulesApp(), "/rules/a", "{nope");
    expect(notJson.status).toBe(400);
    const { error } = await notJson.json();
    expect(error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
    expect(error.message).toContain("expected a JSON body");
    const plain = await post(rulesApp(), "/rules/a", JSON.stringify({ path: "/x", limit: 2 }), "text/plain");
    expect(plain.status).toBe(201);
  });

  test("refuses a bad path parameter naming it", async () => {
    const response = await post(rulesApp(), "/rules/A1", JSON.stringify({ path: "/x", limit: 2 }));
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toContain("param.id");
  });

  test("answers with the route's own error code when explain returns one", async () => {
    const app = new Hono();
    app.get(
      "/explain",
      validate("query", z.object({ path: z.string().startsWith("/") }), (problems, error) => {
        const field = String(error?.issues[0]?.path[0] ?? "query");
        return new BuntimeError("BUNTIME_ERR_AUTHZ_POLICY_INVALID", { field, details: problems });
      }),
      (c) => c.json(c.req.valid("query")),
    );
    expect(await (await app.request("/explain?path=/a")).json()).toEqual({ path: "/a" });
    const refused = await app.request("/explain?path=a");
    expect(refused.status).toBe(400);
    const { error } = await refused.json();
    expect(error.code).toBe("BUNTIME_ERR_AUTHZ_POLICY_INVALID");
    expect(error.message).toStartWith("invalid policy: path: query.path:");
  });
});

describe("describeApp", () => {
  test("documents described routes with their schemas and leaves the others out", async () => {
    const { paths } = await describeApp(rulesApp());
    expect(Object.keys(paths)).toEqual(["/rules/{id}"]);
    const operation = paths["/rules/{id}"]?.post;
    expect(operation?.summary).toBe("Adds a rule");
    const body = operation?.requestBody as { content: Record<string, { schema: Record<string, unknown> }> };
    expect(body.content["application/json"]?.schema).toMatchObject({
      type: "object",
      required: ["path", "limit"],
      additionalProperties: false,
    });
    expect(operation?.parameters).toEqual([
      expect.objectContaining({ in: "path", name: "id", required: true }),
    ]);
    // validate's refusal is documented with the error body every route answers with
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(["201", "400", "401"]);
  });
});

describe("describeApp path parameters", () => {
  test("declares every {name} of a path that the route's description left out, and keeps declared ones", async () => {
    const app = new Hono();
    app.delete(
      "/spaces/:space/keys/:key",
      describeRoute({ summary: "Deletes a key", responses: { 204: { description: "deleted" } } }),
      (c) => c.body(null, 204),
    );
    app.get("/rules/:id", validate("param", z.object({ id: z.string().min(3) })), (c) => c.text("rule"));
    const { paths } = await describeApp(app);
    expect(paths["/spaces/{space}/keys/{key}"]?.delete?.parameters).toEqual([
      { name: "space", in: "path", required: true, schema: { type: "string" } },
      { name: "key", in: "path", required: true, schema: { type: "string" } },
    ]);
    const declared = paths["/rules/{id}"]?.get?.parameters as { name: string; schema: unknown }[];
    expect(declared).toHaveLength(1);
    expect(declared[0]?.schema).toMatchObject({ type: "string", minLength: 3 });
  });
});
