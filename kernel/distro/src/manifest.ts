import { kernelConfigSchema } from "@buntime/kernel";
import {
  BuntimeError,
  formatZodIssues,
  packageNameSchema,
  schemaReferenceSchema,
  semverRangeSchema,
} from "@buntime/sdk";
import semver from "semver";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-write.ts";
import { readJsonFile } from "./read-json.ts";

/** The file name of a distribution manifest. */
export const MANIFEST_FILE = "buntime.distro.json";

/** The signature policies a distribution can require (the CLI's policies, same meaning). */
export const DISTRO_SIGNATURE_POLICIES = ["publisher", "registry", "none"] as const;

const pluginEntrySchema = z.union([
  semverRangeSchema,
  z
    .object({
      /** Semver range of the plugin. */
      range: semverRangeSchema,
      /** The plugin's settings, validated by the plugin's own schema when it loads. */
      config: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
]);

/** An app's name: a folder name in a build's home (`apps/<name>/`), so no `/`, no leading dot. */
export const appNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, {
  error: "expected an app name such as shop (lowercase letters, digits, '.', '_', '-')",
});

const appEntrySchema = z.union([
  semverRangeSchema,
  z
    .object({
      /** A folder holding the app, relative to the manifest. */
      path: z.string().min(1),
    })
    .strict(),
  z
    .object({
      /** Semver range of the app package in the registry. */
      range: semverRangeSchema,
      /** The app's package name when it is not the app's name (`@acme/shop` served as `shop`). */
      package: packageNameSchema.optional(),
    })
    .strict(),
]);

/**
 * The kernel settings of a distribution's worker pool, with the kernel's own schema: `isolation`
 * (the tier apps run in, the least they may, sandbox limits, tenant groups) and `shutdownTimeout`
 * (how long a stop drains requests in flight; a Helm chart's grace period follows it).
 */
export const distroPoolSchema = kernelConfigSchema
  .pick({ isolation: true, shutdownTimeout: true })
  .partial()
  .strict();

/** `buntime.distro.json`: what a distribution is made of. */
export const distroManifestSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Distribution name, as a package name: `acme-edge`, `@acme/edge`. */
    name: packageNameSchema,
    /** Distribution version (exact semver). */
    version: z.string().refine((v) => semver.valid(v) !== null, {
      error: (issue) => `expected an exact semver version, got ${JSON.stringify(issue.input)}`,
    }),
    /** The kernel versions this distribution runs on; every locked plugin must admit one of them. */
    kernel: semverRangeSchema.default("*"),
    /** The registry plugins are locked against. */
    registry: z.url().optional(),
    /** Plugins by package name: a range, or `{ range, config }`. */
    plugins: z.record(packageNameSchema, pluginEntrySchema).default({}),
    /** Apps by name: a registry range (`{ range, package }` when the package has another name), or `{ path }` to a local folder. */
    apps: z.record(appNameSchema, appEntrySchema).default({}),
    /** The pool's kernel settings a built distribution starts with (a settings file or env given at start wins, key by key). */
    pool: distroPoolSchema.optional(),
    policy: z
      .object({
        /** `publisher`: every plugin publisher-signed; `registry` (default): registry-signed; `none`: unsigned allowed. */
        signatures: z.enum(DISTRO_SIGNATURE_POLICIES).default("registry"),
        /** When set, only plugins signed by one of these publishers may be locked. */
        publishers: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .default({ signatures: "registry" }),
  })
  .strict();

/** A manifest as written by a user. */
export type DistroManifestInput = z.input<typeof distroManifestSchema>;
/** A manifest with defaults applied. */
export type DistroManifest = z.output<typeof distroManifestSchema>;

/** A plugin's range, whichever form its entry takes. */
export function pluginRange(entry: DistroManifest["plugins"][string]): string {
  return typeof entry === "string" ? entry : entry.range;
}

/** A plugin's settings from the manifest, if any. */
export function pluginConfig(entry: DistroManifest["plugins"][string]): Record<string, unknown> | undefined {
  return typeof entry === "string" ? undefined : entry.config;
}

/** Where an app of the manifest comes from: a local folder, or a package and range in the registry. */
export type AppSource = { path: string } | { package: string; range: string };

/** An app's source, whichever form its entry takes (a bare range names a package of the app's name). */
export function appSource(name: string, entry: DistroManifest["apps"][string]): AppSource {
  if (typeof entry === "string") return { package: name, range: entry };
  if ("path" in entry) return { path: entry.path };
  return { package: entry.package ?? name, range: entry.range };
}

/** The manifest's registry apps: app name → package and range, sorted by name. */
export function registryApps(manifest: DistroManifest): [string, { package: string; range: string }][] {
  return Object.entries(manifest.apps)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([name, entry]) => {
      const source = appSource(name, entry);
      return "path" in source ? [] : [[name, source] as [string, { package: string; range: string }]];
    });
}

/**
 * Validates `raw` as a distribution manifest from `source`.
 * @throws BuntimeError `BUNTIME_ERR_CONFIG_INVALID` naming the source and every bad field.
 */
export function parseManifest(raw: unknown, source: string): DistroManifest {
  const result = distroManifestSchema.safeParse(raw);
  if (!result.success) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", { source, details: formatZodIssues(result.error) });
  }
  return result.data;
}

/** Reads the manifest at `path` as written (no defaults added), so edits keep the user's form. */
export function readManifestInput(path: string): DistroManifestInput {
  const raw = readJsonFile(path, "distribution manifest");
  parseManifest(raw, path);
  return raw as DistroManifestInput;
}

/** Reads and validates the manifest at `path`, defaults applied. */
export function readManifest(path: string): DistroManifest {
  return parseManifest(readManifestInput(path), path);
}

/** Writes a manifest (validated first, so a bad edit never reaches the file), atomically. */
export function writeManifest(path: string, manifest: DistroManifestInput): void {
  parseManifest(manifest, path);
  writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
