/**
 * Contracts of the services the kernel itself provides to plugins that list them in `consumes`:
 * `kernel:plugins` (what runs, and news of loads and unloads) and `kernel:admin` (is this the
 * kernel's administrator).
 */
import { z } from "zod";
import type { ResolvedManifest } from "../manifest.ts";

/** A plugin as the kernel lists it. */
export interface PluginStatus {
  readonly name: string;
  readonly version: string;
  readonly base?: string;
  readonly status: "running" | "failed";
  /** `isolated` when its code runs in the worker pool, not in the kernel (its manifest, or `pluginPolicy`); absent otherwise. */
  readonly mode?: "isolated";
  /** Why it failed to start, for a failed plugin. */
  readonly error?: string;
  readonly provides: readonly string[];
  readonly dependencies: Readonly<Record<string, string>>;
  /** The manifest's `ui`, when the plugin has pages (the shell builds its menu from it). */
  readonly ui?: ResolvedManifest["ui"];
}

/** What happened to a plugin, as `kernel:plugins` tells its listeners. */
export type PluginEvent =
  | { readonly type: "loaded"; readonly plugin: PluginStatus }
  | { readonly type: "replaced"; readonly plugin: PluginStatus; readonly previous: string }
  | { readonly type: "unloaded"; readonly name: string; readonly version: string };

/**
 * The `kernel:plugins` service.
 *
 * @example
 * const plugins = ctx.services.get("kernel:plugins");
 * const stop = plugins.subscribe((event) => ctx.logger.info(event.type));
 * // in onShutdown: stop();
 */
export interface KernelPlugins {
  /** Every plugin the kernel knows, running or failed, in dependency order. */
  list(): PluginStatus[];
  /** Calls `listener` after each load, replacement and unload; returns a function that stops it. */
  subscribe(listener: (event: PluginEvent) => void): () => void;
}

/** The `kernel:admin` service. */
export interface KernelAdmin {
  /** True when `request` carries the kernel's admin token (`Authorization: Bearer`), compared in constant time. */
  isAdmin(request: Request): boolean;
}

/**
 * The `kernel:origins` service: origins a plugin vouches for, so the kernel's cross-site write
 * check lets their writes to `pathname` through (the router vouches for the origins an app's
 * `cors` rules list by name). Asked only for a cross-site write to an API path the kernel's own
 * `trustedOrigins` do not cover.
 */
export interface KernelOrigins {
  /** Adds `check`; returns what takes it back (a plugin's checks also go when it unloads). */
  vouch(check: (origin: string, pathname: string) => boolean | Promise<boolean>): () => void;
}

/** One node as the cluster view lists it (what it last reported to the shared PostgreSQL). */
export interface ClusterViewNode {
  readonly node: string;
  readonly version: string;
  readonly appliedGeneration: number;
  /** ISO 8601. */
  readonly lastReconcile: string;
  /** True when it applied the newest generation this node knows of. */
  readonly current: boolean;
  /** The plugins that failed to load on that node, each with why. */
  readonly degraded: readonly { plugin: string; reason: string }[];
  /** Where the other nodes reach it (its `cluster.address`), when it recorded one. */
  readonly address?: string;
}

/** The cluster view (`GET /_/api/cluster`): `{ cluster: false }` on a kernel without a `cluster` section. */
export type ClusterView =
  | { readonly cluster: false }
  | {
      readonly cluster: true;
      /** This node's name. */
      readonly node: string;
      /** The newest generation this node knows of. */
      readonly generation: number;
      /** Whether this node applied it (its readiness check). */
      readonly ready: boolean;
      /** Why this node is not ready, or what is degraded while ready. */
      readonly reason?: string;
      readonly nodes: readonly ClusterViewNode[];
    };

/**
 * The cluster view as a zod schema, for API descriptions (the kernel's `GET /_/api/cluster`, the
 * shell's copy of it); checked against `ClusterView` so the two cannot drift.
 */
export const clusterViewSchema = z.union([
  z.object({ cluster: z.literal(false) }),
  z.object({
    cluster: z.literal(true),
    node: z.string(),
    generation: z.number().int(),
    ready: z.boolean(),
    reason: z.string().optional(),
    nodes: z.array(
      z.object({
        node: z.string(),
        address: z.string().optional(),
        version: z.string(),
        appliedGeneration: z.number().int(),
        lastReconcile: z.string().describe("ISO 8601"),
        current: z.boolean(),
        degraded: z.array(z.object({ plugin: z.string(), reason: z.string() })),
      }),
    ),
  }),
]) satisfies z.ZodType<ClusterView>;

/**
 * The `kernel:cluster` service: which node this kernel is, and the cluster view
 * (docs/scale-out.md#cluster-view). On a single kernel `view()` answers `{ cluster: false }`.
 *
 * @example
 * const cluster = ctx.services.get("kernel:cluster");
 * ctx.logger.info("serving", { node: cluster.node });
 */
export interface KernelCluster {
  /**
   * This kernel's node name: the config's `cluster.node` (`BUNTIME_NODE`), else `BUNTIME_NODE`,
   * else the host name. Logs and metrics label their lines with the same name.
   */
  readonly node: string;
  /** True when this kernel runs as a node of a cluster (its config has a `cluster` section). */
  readonly clustered: boolean;
  /** Every node's last report next to this node's readiness, read now. */
  view(): Promise<ClusterView>;
}
