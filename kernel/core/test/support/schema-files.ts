/**
 * The published `*.schema.json` files of this repo and what each must hold: the kernel's and the
 * SDK's schemas, and each first-party plugin's settings (read off its entry's default export,
 * as the kernel reads a loaded plugin's). `npm run schemas` writes them; a test checks them.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  jsonSchemaText,
  type PluginDefinition,
  type PublishedSchema,
  pluginConfigPublished,
  publishedJsonSchema,
  SDK_SCHEMAS,
} from "@buntime/sdk";
import { KERNEL_SCHEMAS } from "../../src/api/schemas.ts";

/** The repo's root folder. */
export const REPO_ROOT = join(import.meta.dir, "..", "..", "..", "..");

/** One published file: where it lives (relative to the repo root), its schema, and its text. */
export interface SchemaFile {
  readonly path: string;
  readonly entry: PublishedSchema;
  readonly text: string;
}

const file = (path: string, entry: PublishedSchema): SchemaFile => ({
  path,
  entry,
  text: jsonSchemaText(publishedJsonSchema(entry)),
});

/** The first-party plugins' folders (relative to the root) with their package names and definitions. */
export async function firstPartyPlugins(): Promise<
  { dir: string; name: string; definition: PluginDefinition }[]
> {
  const dirs = readdirSync(join(REPO_ROOT, "plugins"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `plugins/${entry.name}`);
  const plugins = [];
  for (const dir of [...dirs, "shell"].sort()) {
    const pkg = (await Bun.file(join(REPO_ROOT, dir, "package.json")).json()) as {
      name: string;
      main: string;
    };
    // the path is computed: a plugin's entry is read as the kernel reads it, not as a dependency of this test
    const definition = (await import(join(REPO_ROOT, dir, pkg.main))).default as PluginDefinition;
    plugins.push({ dir, name: pkg.name, definition });
  }
  return plugins;
}

/** Every published schema file and the text it must hold. */
export async function schemaFiles(): Promise<SchemaFile[]> {
  const sdkIds = new Set(SDK_SCHEMAS.map(({ id }) => id));
  const files = KERNEL_SCHEMAS.map((entry) =>
    sdkIds.has(entry.id)
      ? file(`sdk/contract/schemas/${entry.id}.schema.json`, entry)
      : file(`kernel/core/schemas/${entry.id}.schema.json`, entry),
  );
  for (const { dir, name, definition } of await firstPartyPlugins()) {
    if (definition.config)
      files.push(file(`${dir}/schema/config.schema.json`, pluginConfigPublished(name, definition.config)));
  }
  return files;
}

if (import.meta.main) {
  for (const { path, text } of await schemaFiles()) {
    await Bun.write(join(REPO_ROOT, path), text);
    console.log(`wrote ${path}`);
  }
}
