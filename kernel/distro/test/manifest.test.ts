import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_SCHEMA_FILE, manifestJsonSchema, parseManifest } from "@buntime/distro";
import { isBuntimeError } from "@buntime/sdk";

const minimal = { name: "acme-edge", version: "1.0.0" };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isBuntimeError(error) ? error.code : String(error);
  }
  return undefined;
}

describe("buntime.distro.json", () => {
  it("fills in the defaults of a minimal manifest and accepts $schema", () => {
    const manifest = parseManifest({ $schema: "./schema.json", ...minimal }, "m.json");
    expect(manifest).toEqual({
      $schema: "./schema.json",
      ...minimal,
      kernel: "*",
      plugins: {},
      apps: {},
      policy: { signatures: "registry" },
    });
  });

  it("takes a plugin as a range or as a range with settings, and apps as ranges or folders", () => {
    const manifest = parseManifest(
      {
        ...minimal,
        plugins: { "@buntime/plugin-router": "^0.1.0", "@acme/auth": { range: "~2.1", config: { a: 1 } } },
        apps: { hello: { path: "./apps/hello" }, todo: "^1" },
        policy: { signatures: "publisher", publishers: ["acme"] },
      },
      "m.json",
    );
    expect(manifest.plugins["@acme/auth"]).toEqual({ range: "~2.1", config: { a: 1 } });
    expect(manifest.policy).toEqual({ signatures: "publisher", publishers: ["acme"] });
  });

  it.each([
    ["a bad range", { ...minimal, plugins: { x: "not a range!" } }, "plugins.x"],
    ["a version that is a range", { ...minimal, version: "^1" }, "version"],
    ["an unknown field", { ...minimal, plugin: {} }, "plugin"],
    ["an unknown policy", { ...minimal, policy: { signatures: "maybe" } }, "policy.signatures"],
    ["a pool setting the kernel lacks", { ...minimal, pool: { port: 1 } }, "pool"],
    [
      "a bad isolation tier",
      { ...minimal, pool: { isolation: { default: "vm" } } },
      "pool.isolation.default",
    ],
    ["a bad plugin name", { ...minimal, plugins: { "Bad Name": "1" } }, "plugins"],
  ])("refuses %s, naming the file and the field", (_, raw, field) => {
    try {
      parseManifest(raw, "/x/buntime.distro.json");
      throw new Error("accepted");
    } catch (error) {
      expect(isBuntimeError(error, "BUNTIME_ERR_CONFIG_INVALID")).toBe(true);
      expect((error as Error).message).toContain("/x/buntime.distro.json");
      expect((error as Error).message).toContain(field);
    }
  });

  it("refuses a manifest that is no object", () => {
    expect(codeOf(() => parseManifest([], "m.json"))).toBe("BUNTIME_ERR_CONFIG_INVALID");
  });

  it("publishes the JSON Schema generated from the zod schema", () => {
    const published = readFileSync(join(import.meta.dir, "..", MANIFEST_SCHEMA_FILE), "utf8");
    const schema = JSON.parse(published);
    expect(schema).toEqual(JSON.parse(manifestJsonSchema()));
    expect(schema.required).toEqual(["name", "version"]);
    expect(schema.additionalProperties).toBe(false);
  });
});
