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
import Ajv2020 from "ajv/dist/2020.js";
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
  const published = (path: string) => files.find((file) => file.path === path)?.text as string;
  const cases = [
    {
      kind: "buntime.config.json",
      parse: (value: object) => loadConfigFile(value),
      file: "kernel/core/schemas/buntime.config.schema.json",
      base: {},
    },
    {
      kind: "a plugin manifest",
      parse: (value: object) =>
        parsePluginPackage({ name: "p", version: "1.0.0", buntime: { kernel: "^0.1.0", ...value } }, "test"),
      file: "sdk/contract/schemas/plugin-manifest.schema.json",
      base: { kernel: "^0.1.0" },
    },
    {
      kind: "an app manifest",
      parse: (value: object) => parseAppManifest(value, "app@1.0.0"),
      file: "sdk/contract/schemas/app-manifest.schema.json",
      base: {},
    },
    {
      kind: "an app's buntime.json",
      parse: (value: object) => loadAppConfigFile(value),
      file: "sdk/contract/schemas/app-config.schema.json",
      base: {},
    },
    ...plugins
      .filter(({ definition }) => definition.config)
      .map(({ dir, name, definition }) => ({
        kind: `${name}'s settings`,
        parse: (value: object) => (definition.config as z.ZodType).parse(value),
        file: `${dir}/schema/config.schema.json`,
        base: {},
      })),
  ];
  // what an editor does with the published file
  const ajv = new Ajv2020({ strict: false, validateFormats: false });

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
    "%s: its published JSON Schema, as an editor reads it, also takes $schema and refuses a typo",
    (_kind, { file, base }) => {
      const validate = ajv.compile(JSON.parse(published(file)));
      expect(validate({ ...base, $schema: "./x.schema.json" })).toBe(true);
      expect(validate({ ...base, $schema: "./x.schema.json", $schemaa: "./x.json" })).toBe(false);
      expect(validate.errors?.[0]).toMatchObject({
        keyword: "additionalProperties",
        params: { additionalProperty: "$schemaa" },
      });
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
    const bare = await request("/_/api/schemas");
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/_/api/schemas/");

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

describe("the $schema example in docs/configuration.md", () => {
  it("is a buntime.config.json the kernel loads and its published schema accepts, and its $schema path exists", async () => {
    const page = await Bun.file(join(REPO_ROOT, "docs/configuration.md")).text();
    const block = [...page.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((match) => match[1] as string)
      .find((text) => text.includes('"$schema"'));
    const example = JSON.parse(block as string) as { $schema: string; port: number };
    expect(loadConfigFile(example).port).toBe(example.port);
    // as in a project with @buntime/kernel installed: this checkout's node_modules links the workspace
    const schema = await Bun.file(join(REPO_ROOT, example.$schema)).json();
    expect(schema).toEqual(
      JSON.parse(files.find(({ entry }) => entry.id === "buntime.config")?.text as string),
    );
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
    expect(validate(example)).toBe(true);
    expect(validate({ ...example, prot: 8080 })).toBe(false);
    expect(() => loadConfigFile({ ...example, prot: 8080 })).toThrow(/prot/);
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
