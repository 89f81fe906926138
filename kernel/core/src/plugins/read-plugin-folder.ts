import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BuntimeError, parsePluginPackage } from "@buntime/sdk";
import { type PluginSource, pluginId } from "./plugin-source.ts";
import { validateDefinition } from "./validate-definition.ts";

const FALLBACK_ENTRIES = ["index.ts", "index.js", "src/index.ts", "src/index.js"];

async function readPackageJson(dir: string): Promise<unknown> {
  const path = join(dir, "package.json");
  try {
    return await Bun.file(path).json();
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_MANIFEST_INVALID",
      {
        source: path,
        details: existsSync(path) ? "package.json is not valid JSON" : "package.json is missing",
      },
      { cause: error },
    );
  }
}

function findEntry(dir: string, main: string | undefined, plugin: string): string {
  const candidates = main ? [main] : FALLBACK_ENTRIES;
  for (const candidate of candidates) {
    const path = resolve(dir, candidate);
    if (!path.startsWith(resolve(dir))) break;
    if (existsSync(path)) return path;
  }
  throw new BuntimeError("BUNTIME_ERR_PLUGIN_ENTRY_INVALID", {
    plugin,
    details: `no entry module in ${dir} (looked for ${candidates.join(", ")})`,
  });
}

/** True when `dir` holds a package.json with a `buntime` field. */
export async function isPluginFolder(dir: string): Promise<boolean> {
  const file = Bun.file(join(dir, "package.json"));
  if (!(await file.exists())) return false;
  try {
    return typeof (await file.json())?.buntime === "object";
  } catch {
    return true; // broken JSON: let readPluginFolder report it
  }
}

/** Reads a plugin folder: validates its manifest, imports its entry and checks the definition. */
export async function readPluginFolder(dir: string): Promise<PluginSource> {
  const pkg = parsePluginPackage(await readPackageJson(dir), dir);
  const id = pluginId(pkg);
  const entry = findEntry(dir, pkg.main, id);
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(entry).href);
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_PLUGIN_ENTRY_INVALID",
      { plugin: id, details: `importing ${entry} failed: ${error instanceof Error ? error.message : error}` },
      { cause: error },
    );
  }
  return { pkg, definition: validateDefinition(module.default, id), origin: dir };
}
