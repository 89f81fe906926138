import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@buntime/kernel";
import {
  definePlugin,
  jsonSchemaOf,
  loadAppConfig,
  parseAppManifest,
  parsePluginPackage,
  SDK_SCHEMAS,
} from "@buntime/sdk";
import { z } from "zod";
import { inlinePlugin, startTestKernel, tempDir, withHooks } from "./support/kernel-fixture.ts";
import { firstPartyPlugins, REPO_ROOT, schemaFiles } from "./support/schema-files.ts";

const files = await schemaFiles();
const plugins = await firstPartyPlugins();

describe("published JSON Schemas", () => {
  it.each(files.map((file) => [file.path, file] as const))(
    "%s equals z.toJSONSchema of its zod source (npm run schemas rewrites it)",
    async (_path, file) => {
      const committed = await Bun.file(join(REPO_ROOT, file.path)).json();
      expect(committed).toEqual(JSON.parse(file.text));
    },
  );

  it("publishes a schema for every first-party plugin that has settings, and only for those", () => {
    const withSettings = plugins.filter(({ definition }) => definition.config).map(({ dir }) => dir);
    expect(withSettings.length).toBeGreaterThan(5);
    for (const dir of withSettings)
      expect(files.map(({ path }) => path)).toContain(`${dir}/schema/config.schema.json`);
  });

  it.each(
    [
      ...new Set(files.map(({ path }) => path.slice(0, path.lastIndexOf("/", path.lastIndexOf("/") - 1)))),
    ].map((dir) => [dir]),
  )("%s ships its schema folder in its tarball (package.json files)", async (dir) => {
    const pkg = (await Bun.file(join(REPO_ROOT, dir, "package.json")).json()) as { files?: string[] };
    const folder = files
      .find(({ path }) => path.startsWith(`${dir}/`))
      ?.path.split("/")
      .at(-2) as string;
    // without `files` npm packs the whole folder
    if (pkg.files !== undefined) expect(pkg.files).toContain(folder);
  });
});

describe("$schema in every settings file", () => {
  const cases = [
    { kind: "buntime.config.json", parse: (value: object) => loadConfigFile(value) },
    {
      kind: "a plugin manifest",
      parse: (value: object) =>
        parsePluginPackage({ name: "p", version: "1.0.0", buntime: { kernel: "^0.1.0", ...value } }, "test"),
    },
    { kind: "an app manifest", parse: (value: object) => parseAppManifest(value, "app@1.0.0") },
    { kind: "an app's buntime.json", parse: (value: object) => loadAppConfigFile(value) },
    ...plugins
      .filter(({ definition }) => definition.config)
      .map(({ name, definition }) => ({
        kind: `${name}'s settings`,
        parse: (value: object) => (definition.config as z.ZodType).parse(value),
      })),
  ];

  it.each(cases.map((c) => [c.kind, c] as const))("%s accepts $schema", async (_kind, { parse }) => {
    await parse({ $schema: "https://example.com/x.schema.json" });
  });

  it.each(cases.map((c) => [c.kind, c] as const))(
    "%s still refuses other unknown keys",
    async (_kind, { parse }) => {
      expect(async () => parse({ $schema: "./x.json", $schemaa: "./x.json" })).toThrow(/\$schemaa/);
    },
  );

  it.each(cases.map((c) => [c.kind, c] as const))(
    "%s refuses a $schema that is not a string",
    async (_kind, { parse }) => {
      expect(async () => parse({ $schema: 42 })).toThrow(/\$schema/);
    },
  );
});

describe("GET /_/api/schemas/", () => {
  const configured = definePlugin({
    config: z.object({ greeting: z.string().default("hi") }).strict(),
    setup: () => ({}),
  });

  it("lists the kernel's schemas and each loaded plugin's settings, and serves each as JSON", async () => {
    const { request } = await startTestKernel({
      plugins: [inlinePlugin("greeter", {}, configured), inlinePlugin("plain", {}, withHooks())],
    });
    const index = await request("/_/api/schemas/");
    expect(index.status).toBe(200);
    const { schemas } = (await index.json()) as { schemas: { id: string; url: string }[] };
    expect(schemas.map(({ id }) => id)).toEqual([
      "buntime.config",
      ...SDK_SCHEMAS.map(({ id }) => id),
      "plugins/greeter",
    ]);
    expect(schemas[0]?.url).toBe("/_/api/schemas/buntime.config.json");

    for (const file of files.filter(({ path }) => !path.startsWith("plugins/"))) {
      const served = await request(`/_/api/schemas/${file.entry.id}.json`);
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("application/schema+json");
      expect(await served.text()).toBe(file.text);
    }
    const greeter = await (await request("/_/api/schemas/plugins/greeter.json")).json();
    expect(greeter).toMatchObject({
      title: "greeter settings",
      properties: { greeting: { type: "string", default: "hi" } },
      additionalProperties: false,
    });
    expect(greeter.properties).toEqual(jsonSchemaOf(configured.config as z.ZodType).properties);
  });

  it("answers 404 with a code for a schema it does not publish (a plugin without settings, a made-up id)", async () => {
    const { request } = await startTestKernel({ plugins: [inlinePlugin("plain", {}, withHooks())] });
    for (const path of ["plugins/plain.json", "nope.json", "buntime.config", "../health.json"]) {
      const res = await request(`/_/api/schemas/${path}`);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("BUNTIME_ERR_NOT_FOUND");
    }
  });

  it("follows loads and unloads: an unloaded plugin's schema is gone", async () => {
    const { kernel, request } = await startTestKernel({ plugins: [inlinePlugin("greeter", {}, configured)] });
    expect((await request("/_/api/schemas/plugins/greeter.json")).status).toBe(200);
    await kernel.unload("greeter");
    expect((await request("/_/api/schemas/plugins/greeter.json")).status).toBe(404);
  });
});

function loadConfigFile(value: object) {
  const cwd = tempDir();
  writeFileSync(join(cwd, "buntime.config.json"), JSON.stringify(value));
  return loadConfig({ cwd, env: {} });
}

async function loadAppConfigFile(value: object) {
  const dir = tempDir();
  writeFileSync(join(dir, "buntime.json"), JSON.stringify(value));
  return loadAppConfig(dir, "app@1.0.0");
}
