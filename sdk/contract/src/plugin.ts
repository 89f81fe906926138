/**
 * The plugin contract: `definePlugin({ config, setup })`. `setup` runs once when the plugin
 * loads, keeps the plugin's state in its closure, and returns the plugin's hooks from the closed
 * set below; any other key is refused at load.
 */
import type { Hono } from "hono";
import type { z } from "zod";
import type { Logger } from "./logger.ts";
import type { WorkerEvent, WorkerPool } from "./pool.ts";
import type { RequestContext } from "./request.ts";
import type { ServiceAccess } from "./services.ts";

/** What the kernel hands a plugin's `setup`. */
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

/**
 * The Hono app of `routes`: mounted at the plugin's base, with the request's context as
 * `c.env` (so `c.env.locals.user` is the signed-in user).
 */
export type PluginRoutes = Hono<{ Bindings: RequestContext }>;

/** The hooks `setup` may return; any other key is refused at load. */
export interface PluginHooks {
  /** Return a Response to answer now, nothing to pass the request on. */
  onRequest?(request: Request, context: RequestContext): MaybePromise<Response | undefined | void>;
  /** Runs in reverse dependency order; return a Response to replace the one going out. */
  onResponse?(
    response: Response,
    request: Request,
    context: RequestContext,
  ): MaybePromise<Response | undefined | void>;
  /** Handles requests under the plugin's base; return nothing to let the next handler try. */
  fetch?(request: Request, context: RequestContext): MaybePromise<Response | undefined | void>;
  /** A Hono app mounted at the plugin's base, tried after `fetch`. */
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app whose bindings fit the request context
  routes?: Hono<any, any, any>;
  /** Runs after the kernel listens (at once, for a plugin loaded while it listens). */
  onServerStart?(server: ServerInfo): MaybePromise<void>;
  /** Runs when the plugin unloads or the kernel stops, in reverse dependency order. */
  onShutdown?(): MaybePromise<void>;
  onWorkerSpawn?(event: WorkerEvent): MaybePromise<void>;
  onWorkerTerminate?(event: WorkerEvent): MaybePromise<void>;
}

/** A plugin as its entry module default-exports it. */
export interface PluginDefinition<TSchema extends z.ZodType = z.ZodType<unknown>> {
  /** The zod schema of the plugin's settings; `ctx.config` is its output type. */
  config?: TSchema;
  /**
   * Runs once when the plugin loads, in dependency order: provide services, build state, and
   * return the hooks. A throw (or a hang past the kernel's `lifecycleTimeout`) costs the plugin its start.
   */
  setup(ctx: PluginContext<z.output<TSchema>>): MaybePromise<PluginHooks | undefined | void>;
}

/** Names of the hooks `setup` may return. */
export const HOOK_NAMES = [
  "onRequest",
  "onResponse",
  "fetch",
  "routes",
  "onServerStart",
  "onShutdown",
  "onWorkerSpawn",
  "onWorkerTerminate",
] as const satisfies readonly (keyof PluginHooks)[];

export type HookName = (typeof HOOK_NAMES)[number];

/** Every key a plugin definition may have. */
export const PLUGIN_DEFINITION_KEYS = ["config", "setup"] as const;

/**
 * Declares a plugin. The identity at run time; at compile time it infers `ctx.config` from
 * the `config` schema.
 *
 * @example
 * export default definePlugin({
 *   config: z.object({ greeting: z.string().default("hello") }),
 *   setup(ctx) {
 *     let served = 0;
 *     return { fetch: () => new Response(`${ctx.config.greeting} #${++served}`) };
 *   },
 * });
 */
export function definePlugin<TSchema extends z.ZodType = z.ZodType<unknown>>(
  definition: PluginDefinition<TSchema>,
): PluginDefinition<TSchema> {
  return definition;
}
