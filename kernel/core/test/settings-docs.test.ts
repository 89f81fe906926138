import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { JsonSchema } from "@buntime/sdk";
import { firstPartyPlugins, REPO_ROOT, schemaFiles } from "./support/schema-files.ts";
import { documentedDefault, settingsTables, tableProblems } from "./support/settings-tables.ts";

const schemas = new Map(
  (await schemaFiles()).map(({ path, text }) => [path, JSON.parse(text) as JsonSchema]),
);
const pluginSchema = (dir: string) => schemas.get(`plugins/${dir}/schema/config.schema.json`) as JsonSchema;
const rulesOf = (schema: JsonSchema) =>
  ((schema.properties as Record<string, JsonSchema>).rules as JsonSchema).items as JsonSchema;

/** Each page's settings table (first column `setting`) and the schema it documents; some pages also document rules (`field`). */
const PAGES: { page: string; schema: JsonSchema; rules?: JsonSchema; retired?: string[] }[] = [
  {
    page: "docs/configuration.md",
    schema: schemas.get("kernel/core/schemas/buntime.config.schema.json") as JsonSchema,
  },
  { page: "docs/plugins/auth.md", schema: pluginSchema("auth"), retired: ["clientIpHeader"] },
  { page: "docs/plugins/authz.md", schema: pluginSchema("authz") },
  { page: "docs/plugins/database.md", schema: pluginSchema("database") },
  { page: "docs/plugins/logs.md", schema: pluginSchema("logs") },
  { page: "docs/plugins/metrics.md", schema: pluginSchema("metrics") },
  { page: "docs/plugins/proxy.md", schema: pluginSchema("proxy"), rules: rulesOf(pluginSchema("proxy")) },
  {
    page: "docs/plugins/ratelimit.md",
    schema: pluginSchema("ratelimit"),
    rules: rulesOf(pluginSchema("ratelimit")),
    retired: ["ipHeader"],
  },
  { page: "docs/plugins/storage.md", schema: pluginSchema("storage") },
  { page: "docs/router.md", schema: pluginSchema("router") },
  { page: "docs/marketplace.md", schema: pluginSchema("marketplace") },
];

describe("the docs' settings tables against the JSON Schemas", () => {
  it.each(PAGES.map((entry) => [entry.page, entry] as const))(
    "%s documents every setting, no other, with the schema's defaults",
    async (page, { schema, rules, retired }) => {
      const markdown = await Bun.file(join(REPO_ROOT, page)).text();
      const tables = settingsTables(markdown, "setting");
      expect(tables).toHaveLength(1);
      expect(tableProblems(tables[0] ?? [], schema, retired)).toEqual([]);
      if (rules) {
        const fieldTables = settingsTables(markdown, "field");
        expect(fieldTables).toHaveLength(1);
        expect(tableProblems(fieldTables[0] ?? [], rules)).toEqual([]);
      }
    },
  );

  it("a retired setting left out of a table is refused with a pointer, whatever its value", async () => {
    const byDir = new Map((await firstPartyPlugins()).map((plugin) => [plugin.dir, plugin.definition]));
    for (const [dir, name] of [
      ["plugins/auth", "clientIpHeader"],
      ["plugins/ratelimit", "ipHeader"],
    ] as const) {
      const config = byDir.get(dir)?.config;
      for (const value of ["x-forwarded-for", true, {}]) {
        const result = config?.safeParse({ [name]: value });
        expect(result?.success).toBe(false);
        expect(result?.error?.issues[0]?.message).toContain("trustProxy");
      }
    }
  });

  it("every first-party plugin page with settings is checked", async () => {
    const checked = new Set(PAGES.map(({ page }) => page));
    for (const { dir, definition } of await firstPartyPlugins()) {
      const page = `docs/${dir.replace("plugins/", "plugins/")}.md`;
      if (definition.config && (await Bun.file(join(REPO_ROOT, page)).exists()))
        expect(checked).toContain(page);
    }
  });

  it("a first-party manifest's JSON Schema of its settings (buntime.config) says what the zod schema says", async () => {
    for (const { dir } of await firstPartyPlugins()) {
      const pkg = (await Bun.file(join(REPO_ROOT, dir, "package.json")).json()) as {
        buntime: { config?: JsonSchema };
      };
      const declared = pkg.buntime.config;
      if (!declared) continue;
      const generated = schemas.get(`${dir}/schema/config.schema.json`) as JsonSchema;
      // the manifest's copy is for tools that read package.json; it must say what the zod schema says, `$schema` aside
      const shape = ({ properties, additionalProperties, required }: JsonSchema) => {
        const { $schema: _reference, ...settings } = (properties ?? {}) as Record<string, JsonSchema>;
        return { settings, additionalProperties, required };
      };
      expect({ dir, ...shape(declared) }).toEqual({ dir, ...shape(generated) });
    }
  });
});

describe("the settings-table checker", () => {
  const schema: JsonSchema = {
    type: "object",
    properties: {
      $schema: { type: "string" },
      size: { type: "integer", default: 10 },
      mode: { type: "string", default: "fast" },
      ttl: { anyOf: [{ type: "integer" }, { type: "string" }] },
      legacy: {},
      id: { type: "string" },
    },
    required: ["id"],
  };
  const table = (rows: string[]) =>
    settingsTables(
      ["| setting | default | meaning |", "| --- | --- | --- |", ...rows.map((row) => `| ${row} | x |`)].join(
        "\n",
      ),
      "setting",
    )[0] ?? [];
  const good = ["`size` | `10`", "`mode` | `fast`", '`ttl` | `"5m"`', "`id` | (required)"];

  it("accepts a table that agrees with its schema", () => {
    expect(tableProblems(table(good), schema, ["legacy"])).toEqual([]);
  });

  it("names a setting left out, one that does not exist, a wrong default, a wrong type and a wrong (required)", () => {
    expect(tableProblems(table(good.slice(1)), schema, ["legacy"])).toEqual([
      "size: in the schema, not in the table",
    ]);
    expect(tableProblems(table(good), schema)).toEqual(["legacy: in the schema, not in the table"]);
    expect(tableProblems(table([...good, "`nope` | none", "`legacy` | none"]), schema, ["legacy"])).toEqual([
      "nope: in the table, not a setting of the schema",
      "legacy: in the table, not a setting of the schema",
    ]);
    expect(tableProblems(table(["`size` | `20`", ...good.slice(1)]), schema, ["legacy"])).toEqual([
      "size: default 10 in the schema, `20` in the table",
    ]);
    expect(
      tableProblems(table([...good.slice(0, 2), "`ttl` | `true`", good[3] as string]), schema, ["legacy"]),
    ).toEqual(["ttl: the table's default `true` is no integer or string"]);
    expect(tableProblems(table([...good.slice(0, 3), "`id` | none"]), schema, ["legacy"])).toEqual([
      'id: the schema requires it; the table says "none"',
    ]);
  });

  it("reads a default stated in backticks, and leaves described ones alone", () => {
    expect(documentedDefault("`5000`")).toEqual({ value: 5000 });
    expect(documentedDefault('`"12h"`')).toEqual({ value: "12h" });
    expect(documentedDefault("`sqlite`")).toEqual({ value: "sqlite" });
    expect(documentedDefault('`{ "default": "thread" }`')).toEqual({ value: { default: "thread" } });
    for (const described of [
      "none",
      "env `DATABASE_URL`",
      "`BUNTIME_NODE`, else the host name",
      "`0.001 … 10`",
      "`<home>/apps`",
    ])
      expect(documentedDefault(described)).toBeUndefined();
  });
});
