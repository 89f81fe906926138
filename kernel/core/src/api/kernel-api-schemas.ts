/**
 * The shapes of the kernel API's requests and answers, as zod schemas: the routes validate their
 * input with them, and the OpenAPI document (`GET /_/api/openapi.json`) shows them.
 */
import { packageNameSchema } from "@buntime/sdk";
import semver from "semver";
import { z } from "zod";

/** An exact version: a path segment of `<home>/plugins/<name>/<version>`, so never `..` or `a/b`. */
const exactVersionSchema = z.string().refine((version) => semver.valid(version) !== null, {
  error: "expected an exact semver version such as 1.2.0",
});
const installedRefSchema = z.object({ name: packageNameSchema, version: exactVersionSchema }).strict();

/** `POST /_/api/plugins`: the plugins of `<home>/plugins` to load or swap in, as one batch. */
export const batchRequestSchema = z.object({ plugins: z.array(installedRefSchema).min(1).max(200) }).strict();

/** `POST /_/api/plugins/unload`: the loaded plugins to unload, as one batch. */
export const unloadRequestSchema = z.object({ names: z.array(packageNameSchema).min(1).max(200) }).strict();

/** `DELETE /_/api/plugins/{name}`: the name is an npm package name, `@scope/name` included. */
export const pluginNameParamSchema = z.object({ name: packageNameSchema });

/** `GET /_/api/health`. */
export const healthSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
  uptimeMs: z.number().int(),
});

/** `GET /_/api/health/ready` (200 when ready, 503 otherwise). */
export const readinessSchema = z.object({
  status: z.enum(["ready", "not-ready"]),
  checks: z.record(z.string(), z.object({ ready: z.boolean(), reason: z.string().optional() })),
});

/** One plugin as `GET /_/api/plugins` lists it. */
export const pluginStatusSchema = z.object({
  name: z.string(),
  version: z.string(),
  base: z.string().optional(),
  status: z.enum(["running", "failed"]),
  mode: z.literal("isolated").optional(),
  error: z.string().optional().describe("why it failed to start"),
  provides: z.array(z.string()),
  dependencies: z.record(z.string(), z.string()),
  ui: z.object({}).catchall(z.unknown()).optional().describe("the manifest's ui, for the shell's menu"),
});

/** `GET /_/api/plugins`, and the 201 answer of `POST /_/api/plugins`. */
export const pluginListSchema = z.object({ plugins: z.array(pluginStatusSchema) });

const latencySchema = z.object({ p50: z.number(), p95: z.number(), p99: z.number() });

/** `GET /_/api/pool` (docs/worker-pool.md). */
export const poolStatsSchema = z.object({
  workers: z.number().int(),
  evicted: z.number().int(),
  apps: z.record(
    z.string(),
    z
      .object({
        mode: z.enum(["persistent", "ephemeral"]),
        isolation: z.string(),
        workers: z.number().int(),
        requests: z.number().int(),
        errors: z.number().int(),
        active: z.number().int(),
        queued: z.number().int(),
        spawned: z.number().int(),
        terminated: z.number().int(),
        recycled: z.record(z.string(), z.number().int()),
        memory: z.number().describe("bytes"),
        latency: latencySchema.describe("milliseconds"),
      })
      .catchall(z.unknown()),
  ),
});
