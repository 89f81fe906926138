import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BuntimeError, parsePluginPackage } from "@buntime/sdk";
import type { ResolvedPluginPolicy } from "../config/plugin-policy.ts";
import { type IsolationSettings, isolatedSource, refusedSource } from "./isolated-source.ts";
import { readLockfile } from "./lockfile.ts";
import { type PluginSource, pluginId } from "./plugin-source.ts";
import { trustOf } from "./plugin-trust.ts";
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

/** What decides how a folder's plugin loads: trust (`pluginPolicy`) and how isolated plugins run. */
export interface FolderLoadOptions {
  /** The kernel's home, whose `plugins/lock.json` records installed plugins' signatures. */
  readonly home: string;
  readonly policy: ResolvedPluginPolicy;
  readonly isolation: IsolationSettings;
}

/**
 * Reads a plugin folder: validates its manifest and finds its entry. A plugin that runs
 * persistent has its entry imported and its definition checked; an isolated one (its manifest
 * says so, or `pluginPolicy.untrusted: "isolate"` forces it) is never imported in the kernel;
 * an untrusted one under `untrusted: "refuse"` fails to start with the reason. Without `options` every plugin is
 * trusted and an isolated one is refused (nothing here can run it).
 */
export async function readPluginFolder(dir: string, options?: FolderLoadOptions): Promise<PluginSource> {
  const pkg = parsePluginPackage(await readPackageJson(dir), dir);
  const id = pluginId(pkg);
  const entry = findEntry(dir, pkg.main, id);
  const verdict = options
    ? trustOf(pkg, dir, options.home, await readLockfile(options.home), options.policy)
    : { trusted: true, reason: "" };
  if (!verdict.trusted && options?.policy.untrusted === "refuse") {
    return refusedSource(
      pkg,
      dir,
      new BuntimeError("BUNTIME_ERR_PLUGIN_UNTRUSTED", { plugin: id, reason: verdict.reason }),
    );
  }
  const forced = !verdict.trusted && options?.policy.untrusted === "isolate";
  if (pkg.buntime.mode === "isolated" || forced) {
    if (!options) {
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_ISOLATED", {
        plugin: id,
        details: "an isolated plugin needs a kernel's worker pool to run in",
      });
    }
    const why = forced
      ? `pluginPolicy.untrusted is "isolate" and it is ${verdict.reason}`
      : 'its manifest says mode "isolated"';
    return isolatedSource(pkg, resolve(dir), entry, options.isolation, why);
  }
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
