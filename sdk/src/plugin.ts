/**
 * The plugin contract: the closed set of hooks a plugin may implement, the context the
 * kernel hands it, and `definePlugin`, which types `ctx.config` from the plugin's own schema.
 */
import type { Hono } from "hono";
import type { z } from "zod";
import type { Logger } from "./logger.ts";
import type { WorkerEvent, WorkerPool } from "./pool.ts";
import type { ServiceAccess } from "./services.ts";

/** What the kernel hands every hook of a plugin. */
export interface PluginContext<TConfig = unknown> {
  /** The plugin's package name. */
  readonly name: string;
  readonly version: string;
  /** The URL prefix from the manifest, if any. */
  readonly base?: string;
  /** The plugin's settings, validated against its `config` schema. */
  readonly config: TConfig;
  readonly services: ServiceAccess;
  readonly pool: WorkerPool;
  /** A logger namespaced `plugin:<name>`. */
  readonly logger: Logger;
  /** A folder of the plugin's own for data that survives restarts. */
  readonly dataDir: string;
  readonly kernel: KernelInfo;
}

/** What a plugin may know about the kernel hosting it. */
export interface KernelInfo {
  readonly version: string;
  /** `<home>/apps`: where app folders live (`<name>/` or `<name>/<version>/`). */
  readonly appsDir: string;
}

/** The listening server, passed to `onServerStart`. */
export interface ServerInfo {
  readonly url: URL;
}

/** A value, or a promise of it: what hooks and handlers may return. */
export type MaybePromise<T> = T | Promise<T>;

/** The hooks a plugin may implement; any other key is refused at load. */
export interface PluginHooks<TConfig = unknown> {
  /** Runs once when the plugin loads, in dependency order. Provide services here. */
  onInit?(ctx: PluginContext<TConfig>): MaybePromise<void>;
  /** Runs after the kernel listens. */
  onServerStart?(ctx: PluginContext<TConfig>, server: ServerInfo): MaybePromise<void>;
  /** Return a Response to answer now, a Request to replace the request, nothing to pass it on. */
  onRequest?(
    request: Request,
    ctx: PluginContext<TConfig>,
  ): MaybePromise<Response | Request | undefined | void>;
  /** Runs in reverse dependency order; return a Response to replace the one going out. */
  onResponse?(
    response: Response,
    request: Request,
    ctx: PluginContext<TConfig>,
  ): MaybePromise<Response | undefined | void>;
  /** Runs when the plugin unloads or the kernel stops, in reverse dependency order. */
  onShutdown?(ctx: PluginContext<TConfig>): MaybePromise<void>;
  onWorkerSpawn?(event: WorkerEvent, ctx: PluginContext<TConfig>): MaybePromise<void>;
  onWorkerTerminate?(event: WorkerEvent, ctx: PluginContext<TConfig>): MaybePromise<void>;
  /** Handles requests under the plugin's base; return nothing to let the next handler try. */
  fetch?(request: Request, ctx: PluginContext<TConfig>): MaybePromise<Response | undefined | void>;
}

/** A plugin as its entry module default-exports it. */
export interface PluginDefinition<TSchema extends z.ZodType = z.ZodType<unknown>>
  extends PluginHooks<z.output<TSchema>> {
  /** The zod schema of the plugin's settings; `ctx.config` is its output type. */
  config?: TSchema;
  /** A Hono app mounted at the plugin's base, tried after `fetch`. */
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its env and schema
  routes?: Hono<any, any, any>;
}

/** Names of the lifecycle hooks, in no particular order. */
export const HOOK_NAMES = [
  "onInit",
  "onServerStart",
  "onRequest",
  "onResponse",
  "onShutdown",
  "onWorkerSpawn",
  "onWorkerTerminate",
] as const;

/** Every key a plugin definition may have. */
export const PLUGIN_DEFINITION_KEYS: readonly string[] = [...HOOK_NAMES, "fetch", "routes", "config"];

export type HookName = (typeof HOOK_NAMES)[number];

/**
 * Declares a plugin. The identity at run time; at compile time it infers `ctx.config` from
 * the `config` schema.
 *
 * @example
 * export default definePlugin({
 *   config: z.object({ greeting: z.string().default("hello") }),
 *   fetch: (req, ctx) => new Response(ctx.config.greeting),
 * });
 */
export function definePlugin<TSchema extends z.ZodType = z.ZodType<unknown>>(
  definition: PluginDefinition<TSchema>,
): PluginDefinition<TSchema> {
  return definition;
}
