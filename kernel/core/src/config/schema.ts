import { schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";
import { tracingSchema } from "../tracing/settings.ts";
import { clusterSchema } from "./cluster.ts";
import { isolationSchema } from "./isolation.ts";
import { pluginPolicySchema } from "./plugin-policy.ts";
import { trustProxySchema } from "./trust-proxy.ts";

const milliseconds = z.number().int().positive();

/** The kernel's settings, from `buntime.config.json`, `BUNTIME_*` variables and CLI flags. */
export const kernelConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** TCP port to listen on; 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(8000),
    /** Address to bind; loopback unless set, so a kernel is not on the network by accident. */
    hostname: z.string().min(1).default("127.0.0.1"),
    /** Holds `plugins/lock.json`, installed plugins, apps and data. */
    home: z.string().min(1).default(".buntime"),
    /** Plugin folders, or plain folders of plugin folders, loaded as they are (development, distributions). */
    pluginDirs: z.array(z.string().min(1)).default([]),
    /** Settings per plugin, keyed by package name; validated by each plugin's own schema. */
    plugins: z.record(z.string(), z.unknown()).default({}),
    /** Longest a request hook (`onRequest`, `onResponse`, worker hooks) may take. */
    hookTimeout: milliseconds.default(5_000),
    /** Longest `setup`, `onServerStart` or `onShutdown` may take. */
    lifecycleTimeout: milliseconds.default(30_000),
    /** Seconds a connection may stay silent before it is closed (0: never; Bun allows up to 255). */
    idleTimeout: z.number().int().min(0).max(255).default(120),
    /** How long a stop waits for requests in flight before cutting them off. */
    shutdownTimeout: milliseconds.default(10_000),
    /** Bearer token for the kernel API's writes; generated into `<home>/admin-token` when unset. */
    adminToken: z.string().min(16).optional(),
    /** Origins besides the kernel's own allowed to send state-changing API requests. */
    trustedOrigins: z.array(z.url()).default([]),
    /** Keep a sane `x-request-id` sent by the caller (set it behind a proxy that assigns ids). */
    trustRequestId: z.boolean().default(false),
    /**
     * The proxies in front of the kernel whose forwarding header names the client (for
     * `ctx.clientAddress()`, rate limits, sign-in limits and what apps see). Unset: no header is
     * believed, the client is the address the kernel's server saw.
     */
    trustProxy: trustProxySchema.optional(),
    /** Apps the worker pool keeps warm; unset, sized by the machine's memory (docs/worker-pool.md). */
    maxWorkers: z.number().int().min(1).optional(),
    /** Where apps run: `thread` workers or `process` sandboxes (see docs/isolation.md). */
    isolation: isolationSchema.default({
      default: "thread",
      minimum: "thread",
      pids: 64,
      cpu: 1,
      groups: {},
    }),
    /** Installed plugins no trusted publisher signed, and isolated plugins' tier (see docs/isolated-plugins.md). */
    pluginPolicy: pluginPolicySchema.default({
      untrusted: "allow",
      trustedPublishers: [],
      isolation: "process",
    }),
    /** Run as one node of several on shared PostgreSQL (and Redis); unset, a single node. */
    cluster: clusterSchema.optional(),
    /** OpenTelemetry traces over OTLP/HTTP; off unless an endpoint is set here or in OTEL_* variables (docs/observability.md). */
    tracing: tracingSchema.optional(),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
    logFormat: z.enum(["pretty", "json"]).default("pretty"),
  })
  .strict();

/** Kernel settings as written by a user: every field optional. */
export type KernelConfigOptions = z.input<typeof kernelConfigSchema>;
/** Kernel settings with defaults applied. */
export type ResolvedKernelConfig = z.output<typeof kernelConfigSchema>;
