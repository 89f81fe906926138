import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import {
  describeRoute,
  errorResponses,
  jsonResponse,
  type OpenAPIV3_1,
  operationsOf,
  validate,
} from "@buntime/sdk";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import { Hono } from "hono";
import { z } from "zod";
import { createReadiness } from "../src/api/health.ts";
import { createKernelApi, type KernelApiDeps } from "../src/api/kernel-api.ts";
import {
  inlinePlugin,
  pluginPackage,
  SDK_MODULE,
  startTestKernel,
  tempDir,
  writePluginFolder,
} from "./support/kernel-fixture.ts";

const ADMIN = "admin-token-of-the-test";
const HONO_MODULE = JSON.stringify(import.meta.resolve("hono"));
const noteSchema = z
  .object({ text: z.string().min(1).max(200), pinned: z.boolean().default(false) })
  .strict();

/** A plugin whose routes describe themselves, and one whose routes do not. */
function notesPlugin() {
  return inlinePlugin(
    "@acme/notes",
    { base: "/notes" },
    {
      setup() {
        const routes = new Hono();
        routes.post(
          "/items",
          describeRoute({
            summary: "Adds a note",
            responses: {
              201: jsonResponse("the note", noteSchema),
              ...errorResponses({ 401: "signed out" }),
            },
          }),
          validate("json", noteSchema),
          (c) => c.json(c.req.valid("json"), 201),
        );
        routes.get("/items/:id", describeRoute({ summary: "Reads a note" }), (c) =>
          c.json({ id: c.req.param("id") }),
        );
        return { routes };
      },
    },
  );
}
const silentPlugin = inlinePlugin(
  "silent",
  { base: "/silent" },
  {
    setup: () => ({ routes: new Hono().get("/x", (c) => c.text("x")) }),
  },
);

async function documentOf(request: (path: string) => Promise<Response>): Promise<OpenAPIV3_1.Document> {
  const response = await request("/_/api/openapi.json");
  expect(response.status).toBe(200);
  return response.json();
}

/** Every route the kernel API defines, as an OpenAPI path and method. */
function kernelRoutes(): string[] {
  const deps = { adminToken: "t", startedAt: 0, readiness: createReadiness() } as unknown as KernelApiDeps;
  return createKernelApi(deps)
    .routes.filter((route) => route.method !== "ALL")
    .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`);
}

describe("GET /_/api/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document with every kernel route and each plugin's described routes under its base", async () => {
    const { request } = await startTestKernel({ plugins: [notesPlugin(), silentPlugin] });
    const document = await documentOf(request);
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");

    const listed = operationsOf(document);
    for (const route of kernelRoutes()) {
      // GET /_/api/schemas… is another part's, described by that part (docs/openapi.md)
      if (route.includes("/_/api/schemas")) continue;
      expect(listed).toContain(route);
    }
    expect(listed).toContain("post /notes/items");
    expect(listed).toContain("get /notes/items/{id}");
    expect(listed.filter((operation) => operation.includes("/silent"))).toEqual([]);
    expect(document.paths?.["/notes/items"]?.post?.tags).toEqual(["@acme/notes"]);
    expect(document.paths?.["/_/api/health"]?.get?.tags).toEqual(["kernel"]);
    expect(document.tags?.map((tag) => tag.name)).toEqual(["kernel", "@acme/notes"]);
    const ids = Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(item ?? {}).map((operation) => (operation as OpenAPIV3_1.OperationObject).operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is open to read like the other kernel reads, and holds no secret", async () => {
    const { kernel, request } = await startTestKernel({ config: { adminToken: "s3cret-admin-token-value" } });
    const response = await request("/_/api/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).not.toContain("s3cret-admin-token-value");
    expect(kernel).toBeDefined();
  });

  it("describes request bodies as the routes check them: what the document calls invalid is refused", async () => {
    const { request } = await startTestKernel({ plugins: [notesPlugin()], config: { adminToken: ADMIN } });
    const document = await documentOf(request);
    const ajv = new Ajv2020({ strict: false });
    const bodySchema = (path: string) => {
      const body = document.paths?.[path]?.post?.requestBody as OpenAPIV3_1.RequestBodyObject;
      return ajv.compile(body.content["application/json"]?.schema as object);
    };
    const cases = [
      { path: "/notes/items", body: { text: "hello" }, status: 201 },
      { path: "/notes/items", body: { text: "" }, status: 400 },
      { path: "/notes/items", body: { text: "hi", colour: "red" }, status: 400 },
      { path: "/_/api/plugins/unload", body: { names: [] }, status: 400 },
      { path: "/_/api/plugins", body: { plugins: [{ name: "x" }] }, status: 400 },
    ];
    for (const { path, body, status } of cases) {
      expect(bodySchema(path)(body)).toBe(status < 400);
      const response = await request(path, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(status);
      if (status === 400) expect((await response.json()).error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
    }
    // the refusal itself is documented, with the error body
    const refusal = document.paths?.["/notes/items"]?.post?.responses?.["400"] as OpenAPIV3_1.ResponseObject;
    expect(refusal.content?.["application/json"]?.schema).toMatchObject({ required: ["error"] });
  });

  it("follows loads, replacements and unloads", async () => {
    const { kernel, request } = await startTestKernel();
    const folder = (version: string, route: string) =>
      writePluginFolder(
        join(tempDir(), `jobs-${version}`),
        pluginPackage("jobs", { base: "/jobs" }, version),
        `import { definePlugin, describeRoute } from ${SDK_MODULE};
import { Hono } from ${HONO_MODULE};
export default definePlugin({
  setup: () => ({
    routes: new Hono().get(${JSON.stringify(route)}, describeRoute({ summary: "v${version}" }), (c) => c.text("ok")),
  }),
});
`,
      );
    expect(operationsOf(await documentOf(request))).not.toContain("get /jobs/queue");
    await kernel.load(folder("1.0.0", "/queue"));
    expect(operationsOf(await documentOf(request))).toContain("get /jobs/queue");
    await kernel.replace(folder("2.0.0", "/runs"));
    const replaced = operationsOf(await documentOf(request));
    expect(replaced).toContain("get /jobs/runs");
    expect(replaced).not.toContain("get /jobs/queue");
    await kernel.unload("jobs");
    const unloaded = await documentOf(request);
    expect(operationsOf(unloaded).filter((operation) => operation.includes("/jobs"))).toEqual([]);
    expect(unloaded.tags?.map((tag) => tag.name)).toEqual(["kernel"]);
  });
});
