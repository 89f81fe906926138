import semver from "semver";
import { z } from "zod";
import { BuntimeError } from "./errors.ts";
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
const serviceNameSchema = z
  .string()
  .regex(/^[a-zA-Z][\w.:-]*$/, { error: "expected a service name such as keyval or kernel:logs" });

/** The `buntime` field of a plugin's package.json. */
export const manifestSchema = z
  .object({
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
  })
  .strict();

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
