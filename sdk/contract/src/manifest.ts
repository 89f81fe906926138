import semver from "semver";
import { z } from "zod";
import { BuntimeError } from "./errors.ts";
import { schemaReferenceSchema } from "./json-schema.ts";
import { formatZodIssues } from "./zod-issues.ts";

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const BASE_PATH = /^\/(?:[a-zA-Z0-9._~-]+(?:\/[a-zA-Z0-9._~-]+)*)?$/;

/** An npm package name, scoped or not. */
export const packageNameSchema = z
  .string()
  .max(214)
  .regex(NPM_NAME, { error: "expected an npm package name such as @scope/name or name" });

/** A semver range such as `^1.2.0` or `>=1 <3`. */
export const semverRangeSchema = z.string().refine((range) => semver.validRange(range) !== null, {
  error: (issue) => `expected a semver range, got ${JSON.stringify(issue.input)}`,
});

const dependencyMapSchema = z.record(packageNameSchema, semverRangeSchema).default({});
/** A file of the package, as a tarball path: relative, `/`-separated, no `.` or `..` segment. */
const PACKAGE_FILE = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/**
 * An image shipped in the package for the marketplace. PNG, JPEG or WebP only: SVG is refused
 * because it is a document that can carry script and fetch other URLs, and a raster image
 * needs no sandbox to be shown safely. The extension is only a first check: pack and publish
 * read the file's bytes (see `@buntime/supply`'s `checkManifestMedia`).
 */
const packageImageSchema = z
  .string()
  .max(200)
  .regex(PACKAGE_FILE, {
    error: "expected a file inside the package such as assets/icon.png (relative, no .. or leading /)",
  })
  .refine((path) => /\.(?:png|jpe?g|webp)$/i.test(path), {
    error: (issue) =>
      /\.svgz?$/i.test(String(issue.input))
        ? "SVG is refused (it can carry scripts); use a PNG, JPEG or WebP image"
        : "expected a .png, .jpg, .jpeg or .webp image",
  });

/** The most screenshots a manifest may list. */
const MAX_SCREENSHOTS = 8;

/** A URL path such as `/health`, under the plugin's base: no `..`, no `//`, no escapes, no query. */
const HEALTH_PATH = /^(?!.*\/\.{1,2}(?:\/|$))(?!.*\/\/)\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/;

const serviceNameSchema = z
  .string()
  .regex(/^[a-zA-Z][\w.:-]*$/, { error: "expected a service name such as keyval or kernel:logs" });

/** The `buntime` field of a plugin's package.json. */
export const manifestSchema = z
  .object({
    $schema: schemaReferenceSchema,
    kernel: semverRangeSchema,
    base: z
      .string()
      .regex(BASE_PATH, { error: "expected a URL prefix such as /auth (leading slash, no trailing slash)" })
      .refine((base) => base !== "/_" && !base.startsWith("/_/"), {
        error: "the /_ prefix is reserved for the kernel",
      })
      .optional(),
    dependencies: dependencyMapSchema,
    optionalDependencies: dependencyMapSchema,
    provides: z.array(serviceNameSchema).default([]),
    consumes: z.array(serviceNameSchema).default([]),
    config: z.record(z.string(), z.unknown()).optional(),
    permissions: z
      .object({
        network: z.array(z.string()).default([]),
        env: z.array(z.string()).default([]),
        storage: z.boolean().default(false),
      })
      .strict()
      .default({ network: [], env: [], storage: false }),
    ui: z
      .object({
        dir: z.string().default("ui"),
        menu: z
          .array(z.object({ label: z.string(), path: z.string(), icon: z.string().optional() }))
          .default([]),
      })
      .strict()
      .optional(),
    mode: z.enum(["persistent", "isolated"]).default("persistent"),
    /** The marketplace's icon of the plugin: a square PNG, JPEG or WebP in the package. */
    icon: packageImageSchema.optional(),
    /** Screenshots the marketplace's detail page shows, in order. */
    screenshots: z
      .array(z.object({ path: packageImageSchema, caption: z.string().max(200).default("") }).strict())
      .max(MAX_SCREENSHOTS, { error: `at most ${MAX_SCREENSHOTS} screenshots` })
      .optional(),
    /**
     * A health check the kernel runs on a new version after its `setup` and before it serves:
     * `GET <base><path>` must answer 2xx within `timeoutMs`, else the version is unloaded and the
     * running one (if any) keeps serving.
     */
    health: z
      .object({
        path: z.string().max(200).regex(HEALTH_PATH, {
          error: "expected a path under the plugin's base such as /health (leading slash, no .., no query)",
        }),
        timeoutMs: z.number().int().min(100).max(60_000).default(5000),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((manifest) => manifest.health === undefined || manifest.base !== undefined, {
    error: "a health check needs a base (buntime.base): its path is under it",
    path: ["health"],
  });

/** The package.json fields Buntime reads from a plugin package. */
export const pluginPackageSchema = z.object({
  name: packageNameSchema,
  version: z.string().refine((v) => semver.valid(v) !== null, {
    error: (issue) => `expected an exact semver version, got ${JSON.stringify(issue.input)}`,
  }),
  main: z.string().optional(),
  buntime: manifestSchema,
});

/** A plugin manifest after defaults are applied. */
export type ResolvedManifest = z.output<typeof manifestSchema>;
/** The manifest as a plugin author writes it. */
export type ManifestOptions = z.input<typeof manifestSchema>;
/** A validated plugin package.json. */
export type PluginPackage = z.output<typeof pluginPackageSchema>;

/**
 * Validates a plugin's package.json and its `buntime` manifest.
 * Throws `BUNTIME_ERR_MANIFEST_INVALID` naming the package, each bad field and what was expected.
 *
 * @param source where the package came from (a path or a name), used in the message
 */
export function parsePluginPackage(packageJson: unknown, source: string): PluginPackage {
  const result = pluginPackageSchema.safeParse(packageJson);
  if (result.success) return result.data;
  const named = packageJson as { name?: unknown; version?: unknown } | null;
  const label =
    typeof named?.name === "string" ? `${named.name}@${String(named.version ?? "?")} (${source})` : source;
  throw new BuntimeError(
    "BUNTIME_ERR_MANIFEST_INVALID",
    { source: label, details: formatZodIssues(result.error) },
    { cause: result.error },
  );
}
