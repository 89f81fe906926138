import { type JsonSchema, jsonSchemaOf, schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";

const httpUrl = z
  .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
  .refine((url) => !/[?#]/.test(url), { error: "expected a URL without query or fragment" });

/** One upstream registry the registry proxies and caches names it does not hold. */
export const uplinkSchema = z
  .object({
    url: httpUrl.describe("Base URL of the upstream npm registry, e.g. https://registry.npmjs.org/"),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" })
      .optional()
      .describe("Name of the environment variable holding a bearer token for the upstream"),
    maxAgeSeconds: z
      .int()
      .min(0)
      .max(31_536_000)
      .optional()
      .describe("How long a cached packument is served before the upstream is asked again (default 300)"),
    timeoutMs: z
      .int()
      .min(100)
      .max(600_000)
      .optional()
      .describe("Time allowed for one upstream request (default 30000)"),
    maxTarballBytes: z
      .int()
      .min(1)
      .optional()
      .describe("Largest upstream tarball the registry fetches and caches (default 200 MiB)"),
  })
  .strict();

/** The registry's settings, as a config file, `BUNTIME_REGISTRY_*` variables and flags give them. */
export const registrySettingsSchema = z
  .object({
    $schema: schemaReferenceSchema,
    port: z.int().min(0).max(65535).optional().describe("TCP port; 0 picks a free one (default 4873)"),
    host: z.string().min(1).optional().describe("Interface to bind (default 127.0.0.1)"),
    storage: z
      .string()
      .min(1)
      .optional()
      .describe("Folder of the embedded storage (SQLite and tarballs) and of the uplink cache"),
    postgres: z
      .url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// URL" })
      .optional()
      .describe("PostgreSQL URL: metadata (and tarballs, unless s3 is set) in this database"),
    s3: z
      .object({
        bucket: z.string().min(1).optional().describe("Bucket holding the tarballs (required with s3)"),
        endpoint: httpUrl.optional().describe("S3-compatible endpoint (default AWS)"),
        region: z.string().min(1).optional().describe("Region of the bucket"),
      })
      .strict()
      .optional()
      .describe(
        "Tarballs in an S3-compatible bucket (needs postgres; credentials from S3_* / AWS_* variables)",
      ),
    publicUrl: httpUrl
      .optional()
      .describe("Base URL written into tarball links (default: the request's origin)"),
    signingKey: z.string().min(1).optional().describe("PEM file of the registry's ECDSA P-256 signing key"),
    signUp: z
      .enum(["open", "closed"])
      .optional()
      .describe("Whether npm adduser creates users (default: open on a loopback host, else closed)"),
    anonymousRead: z.boolean().optional().describe("Serve packages without a token (default true)"),
    limits: z
      .object({
        maxTarballBytes: z.int().min(1).optional(),
        maxUnpackedBytes: z.int().min(1).optional(),
        maxEntries: z.int().min(1).optional(),
      })
      .strict()
      .optional()
      .describe("Caps on published tarballs (default 10 MiB, 100 MiB unpacked, 10000 entries)"),
    authRateLimit: z
      .object({ attempts: z.int().min(1), windowMs: z.int().min(1) })
      .strict()
      .optional()
      .describe("Failed sign-ins allowed per window (default 10 per 60000 ms)"),
    orphanGraceMs: z
      .int()
      .min(0)
      .optional()
      .describe("Age below which unreferenced tarballs survive the start sweep"),
    uplinks: z
      .array(uplinkSchema)
      .max(16)
      .optional()
      .describe("Upstream registries for names not published here, asked in order (default none)"),
    uplinkCache: z
      .string()
      .min(1)
      .optional()
      .describe("Folder of the uplink cache (default <storage>/uplinks)"),
    advisories: z
      .string()
      .min(1)
      .optional()
      .describe("JSON file of security advisories that npm audit reports (default none)"),
  })
  .strict();

/** Settings as parsed from one source (every field optional). */
export type RegistrySettings = z.infer<typeof registrySettingsSchema>;

/** One uplink as configured. */
export type UplinkSettings = z.infer<typeof uplinkSchema>;

/** The JSON Schema of a registry config file, generated from {@link registrySettingsSchema}. */
export function registrySettingsJsonSchema(): JsonSchema {
  return jsonSchemaOf(registrySettingsSchema);
}
