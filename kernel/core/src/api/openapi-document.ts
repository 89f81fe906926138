/**
 * `GET /_/api/openapi.json`: one OpenAPI 3.1 document for the kernel API and the `routes` of every
 * running plugin, read off the route definitions themselves (`describeRoute` and `validate` from
 * `@buntime/sdk`), each plugin's paths under its base and tagged with its name. The document is
 * rebuilt when the set of running plugins changes (a load, reload or unload makes a new plugin
 * table), and cached until then.
 */
import { type AppDescription, describeApp, type OpenAPIV3_1 } from "@buntime/sdk";
import { KERNEL_VERSION } from "../version.ts";

/** A running plugin as the document reads it (a `LoadedPlugin` fits). */
export interface RoutedPlugin {
  readonly name: string;
  readonly version: string;
  readonly manifest: { readonly base?: string; readonly mode?: string };
  readonly hooks: { readonly routes?: unknown };
}

/** The tag of the kernel's own operations. */
export const KERNEL_TAG = "kernel";

type DescribableApp = Parameters<typeof describeApp>[0];
type ComponentKind = keyof OpenAPIV3_1.ComponentsObject;

/** `/x` under `base`: the base itself for the app's root. */
function underBase(base: string, path: string): string {
  if (base === "/") return path;
  return path === "/" ? base : `${base}${path}`;
}

/** A plugin name as it may appear in a component name or an operation id (`@a/b` → `a.b`). */
function safeName(name: string): string {
  return name.replace(/^@/, "").replace(/[^a-zA-Z0-9._-]/g, ".");
}

/**
 * Adds `source`'s components to `target`. A name another plugin already uses for a different
 * schema is prefixed with `prefix`, and the references in `described` follow the rename.
 */
function mergeComponents(
  target: OpenAPIV3_1.ComponentsObject,
  described: AppDescription,
  prefix: string,
): OpenAPIV3_1.PathsObject {
  const renames = new Map<string, string>();
  for (const [kind, entries] of Object.entries(described.components) as [ComponentKind, object][]) {
    target[kind] ??= {};
    const into = target[kind] as Record<string, unknown>;
    for (const [name, value] of Object.entries(entries)) {
      const taken = name in into && JSON.stringify(into[name]) !== JSON.stringify(value);
      if (taken) renames.set(`#/components/${kind}/${name}`, `#/components/${kind}/${prefix}.${name}`);
    }
  }
  const rewrite = <T>(value: T): T =>
    renames.size === 0
      ? value
      : JSON.parse(JSON.stringify(value), (key, text) =>
          key === "$ref" && typeof text === "string" ? (renames.get(text) ?? text) : text,
        );
  for (const [kind, entries] of Object.entries(rewrite(described.components)) as [ComponentKind, object][]) {
    const into = target[kind] as Record<string, unknown>;
    for (const [name, value] of Object.entries(entries)) {
      const renamed = renames.has(`#/components/${kind}/${name}`) ? `${prefix}.${name}` : name;
      into[renamed] = value;
    }
  }
  return rewrite(described.paths);
}

/** Files `paths` under `base`, tagging each operation with `tag` and prefixing its id. */
function addPaths(
  document: OpenAPIV3_1.Document,
  paths: OpenAPIV3_1.PathsObject,
  base: string,
  tag: string,
): void {
  const prefix = tag === KERNEL_TAG ? "" : `${safeName(tag)}.`;
  for (const [path, item] of Object.entries(paths)) {
    if (!item) continue;
    const operations = item as Record<string, OpenAPIV3_1.OperationObject>;
    for (const operation of Object.values(operations)) {
      operation.tags = [tag];
      if (operation.operationId) operation.operationId = `${prefix}${operation.operationId}`;
    }
    const full = underBase(base, path);
    document.paths ??= {};
    document.paths[full] = { ...document.paths[full], ...item };
  }
}

/** The document's frame: what Buntime is, and how callers prove who they are. */
function frame(): OpenAPIV3_1.Document {
  return {
    openapi: "3.1.0",
    info: {
      title: "Buntime",
      version: KERNEL_VERSION,
      description:
        "The kernel API under /_/api and the API of every running plugin under its base. Errors answer " +
        "{ error: { code, message } } with a BUNTIME_ERR_… code (docs/errors.md).",
    },
    tags: [{ name: KERNEL_TAG, description: `the Buntime kernel ${KERNEL_VERSION}` }],
    paths: {},
    components: {
      securitySchemes: {
        adminToken: {
          type: "http",
          scheme: "bearer",
          description: "the kernel's admin token (the adminToken setting, or <home>/admin-token)",
        },
      },
    },
  };
}

/**
 * Builds the document from the kernel API app (its paths already under `/_/api`) and the running
 * plugins. A plugin whose routes run in a worker (`mode: "isolated"`) is listed as a tag whose
 * description says so: its routes live in another thread or process and are not read here. So
 * is a plugin whose descriptions fail to convert, with the reason, while the rest is served.
 */
export async function buildOpenApiDocument(
  kernelApi: DescribableApp,
  plugins: readonly RoutedPlugin[],
): Promise<OpenAPIV3_1.Document> {
  const document = frame();
  const components = document.components as OpenAPIV3_1.ComponentsObject;
  const kernel = await describeApp(kernelApi);
  addPaths(document, mergeComponents(components, kernel, KERNEL_TAG), "/", KERNEL_TAG);
  for (const plugin of plugins) {
    const { base, mode } = plugin.manifest;
    if (base === undefined) continue;
    const tag = { name: plugin.name, description: `${plugin.name} ${plugin.version}, under ${base}` };
    if (mode === "isolated") {
      document.tags?.push({ ...tag, description: `${tag.description}; runs isolated, routes not described` });
      continue;
    }
    if (!plugin.hooks.routes) continue;
    let described: AppDescription;
    try {
      described = await describeApp(plugin.hooks.routes as DescribableApp);
    } catch (error) {
      // one plugin's broken description costs its own paths, not the document
      const reason = error instanceof Error ? error.message : String(error);
      document.tags?.push({
        ...tag,
        description: `${tag.description}; its routes could not be described: ${reason}`,
      });
      continue;
    }
    if (Object.keys(described.paths).length === 0) continue;
    document.tags?.push(tag);
    addPaths(document, mergeComponents(components, described, safeName(plugin.name)), base, plugin.name);
  }
  return document;
}

/**
 * The document for the plugins running now, built once per set of running plugins: the plugin
 * host makes a new array whenever one loads, reloads or unloads.
 */
export function openApiDocuments(
  kernelApi: DescribableApp,
): (plugins: readonly RoutedPlugin[]) => Promise<OpenAPIV3_1.Document> {
  let cached: { plugins: readonly RoutedPlugin[]; document: Promise<OpenAPIV3_1.Document> } | undefined;
  return (plugins) => {
    if (cached?.plugins !== plugins) {
      const document = buildOpenApiDocument(kernelApi, plugins);
      // a failed build is not kept: the next request tries again
      document.catch(() => {
        if (cached?.document === document) cached = undefined;
      });
      cached = { plugins, document };
    }
    return cached.document;
  };
}
