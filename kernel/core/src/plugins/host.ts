import { existsSync } from "node:fs";
import {
  BuntimeError,
  checkKernelRange,
  type HookName,
  type Logger,
  orderByDependencies,
  type PluginEvent,
  type ResolvedManifest,
  type ServerInfo,
  satisfiesRange,
  type WorkerEvent,
} from "@buntime/sdk";
import { callWithTimeout } from "../hooks/call-with-timeout.ts";
import { PluginTable } from "../pipeline/plugin-table.ts";
import { KERNEL_VERSION } from "../version.ts";
import { AppShadowChecks, checkAppShadows, checkBaseClaims } from "./base-conflicts.ts";
import {
  dependencyNode,
  type LoadedPlugin,
  loadedNode,
  type PluginStatus,
  pluginStatus,
  failureReason as reason,
} from "./loaded-plugin.ts";
import { type ContextDeps, createPluginContext, dataDirOf, resolvePluginConfig } from "./plugin-context.ts";
import { checkHealth } from "./plugin-health.ts";
import { type PluginSource, pluginId } from "./plugin-source.ts";
import { removeEmptyDirs } from "./remove-empty-dirs.ts";
import { startInLevels } from "./start-levels.ts";
import { validateHooks } from "./validate-definition.ts";

export interface PluginHostOptions extends ContextDeps {
  readonly hookTimeout: number;
  readonly lifecycleTimeout: number;
  readonly drainTimeout: number;
  /** Told of every load, replacement and unload once it has happened. */
  readonly onEvent?: (event: PluginEvent) => void;
}

/**
 * Hosts plugins: validates, orders by dependencies, starts them (`setup`), and loads or
 * unloads them while the kernel runs. A plugin whose `setup` throws or hangs loses its
 * start (and so do the plugins that depend on it); the kernel goes on.
 */
export class PluginHost {
  readonly #options: PluginHostOptions;
  readonly #logger: Logger;
  readonly #running = new Map<string, LoadedPlugin>();
  readonly #failed = new Map<string, PluginStatus>();
  #table = new PluginTable([]);
  #server: ServerInfo | undefined;
  /** Loads and unloads run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: PluginHostOptions) {
    this.#options = options;
    this.#logger = options.logger.child("kernel:plugins");
  }

  /** The table requests run against right now. */
  get table(): PluginTable {
    return this.#table;
  }

  /** Every plugin the host knows, running or failed. */
  list(): PluginStatus[] {
    return [
      ...[...this.#running.values()].map((plugin) => pluginStatus(plugin, plugin.manifest)),
      ...this.#failed.values(),
    ];
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Checks kernel ranges, dependencies and settings of every plugin before any of them starts,
   * against the running plugins (all but those `replacing` names, whose new versions take their place).
   */
  #prepare(
    sources: readonly PluginSource[],
    replacing: ReadonlySet<string> = new Set(),
  ): { source: PluginSource; config: unknown }[] {
    for (const { pkg } of sources) {
      checkKernelRange(pluginId(pkg), pkg.buntime.kernel, KERNEL_VERSION);
      if (pkg.buntime.ui && pkg.buntime.base === undefined) {
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_ENTRY_INVALID", {
          plugin: pluginId(pkg),
          details: "ui needs a base in the manifest (buntime.base)",
        });
      }
    }
    const others = [...this.#running.values()].filter((plugin) => !replacing.has(plugin.name));
    checkBaseClaims(sources, others);
    const ordered = orderByDependencies(sources.map(dependencyNode), others.map(loadedNode));
    return ordered.map(({ source }) => ({
      source,
      config: resolvePluginConfig(source, this.#options.pluginSettings[source.pkg.name]),
    }));
  }

  /** Plugins running now that depend on `name`, with the range they ask for. */
  #dependentsOf(name: string): { plugin: LoadedPlugin; range: string }[] {
    return [...this.#running.values()].flatMap((plugin) => {
      const range = plugin.manifest.dependencies[name];
      return range === undefined ? [] : [{ plugin, range }];
    });
  }

  /** Rebuilds the running set in dependency order and compiles a new table from it. */
  #recompile(): void {
    const ordered = orderByDependencies(
      [...this.#running.values()].map((plugin) => ({ ...loadedNode(plugin), plugin })),
    );
    this.#running.clear();
    for (const { plugin } of ordered) this.#running.set(plugin.name, plugin);
    this.#table = new PluginTable([...this.#running.values()]);
  }

  /** Runs the plugin's `setup` (and `onServerStart` when the kernel already listens). */
  async #init(source: PluginSource, config: unknown): Promise<LoadedPlugin> {
    const { ctx, services } = createPluginContext(source, config, this.#options);
    const { name } = source.pkg;
    const timeout = this.#options.lifecycleTimeout;
    try {
      const returned = await callWithTimeout(name, "setup", timeout, () => source.definition.setup(ctx));
      const hooks = validateHooks(returned, pluginId(source.pkg));
      if ((hooks.fetch || hooks.routes) && source.pkg.buntime.base === undefined) {
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_ENTRY_INVALID", {
          plugin: pluginId(source.pkg),
          details: "fetch and routes need a base in the manifest (buntime.base)",
        });
      }
      const server = this.#server;
      if (hooks.onServerStart && server) {
        const onServerStart = hooks.onServerStart;
        await callWithTimeout(name, "onServerStart", timeout, () => onServerStart(server));
      }
      return {
        name,
        version: source.pkg.version,
        origin: source.origin,
        manifest: source.pkg.buntime,
        ...(source.definition.config ? { configSchema: source.definition.config } : {}),
        hooks,
        ctx,
        release: services.release,
      };
    } catch (error) {
      await services.release();
      throw error;
    }
  }

  /**
   * Starts a set of plugins in dependency order (a level's together: `startInLevels`). A bad
   * manifest, an incompatible kernel, a missing, incompatible or circular dependency, or invalid
   * settings throw before anything starts; a failing `setup` costs it and its dependents their start.
   */
  start(sources: readonly PluginSource[]): Promise<void> {
    return this.#serialize(async () => {
      const shadows = new AppShadowChecks(sources, this.#options.services);
      await startInLevels(this.#prepare(sources), this.#running, (item) =>
        this.#startOne(item.source, item.config, shadows),
      );
      // a plugin whose base shadows an installed app loses its start (and its dependents theirs)
      for (const { plugin, message } of await shadows.drops([...this.#running.values()])) {
        this.#running.delete(plugin.name);
        await this.#stopPlugin(plugin);
        removeEmptyDirs([dataDirOf(this.#options.home, plugin.name)]);
        this.#markFailed(plugin, plugin.manifest, message);
      }
      this.#table = new PluginTable([...this.#running.values()]);
    });
  }

  /** Starts one plugin of `start`, or marks it failed (as those depending on a failed one). */
  async #startOne(source: PluginSource, config: unknown, shadows: AppShadowChecks): Promise<void> {
    const blocker = Object.keys(source.pkg.buntime.dependencies).find((name) => this.#failed.has(name));
    if (blocker)
      return this.#markFailed(source.pkg, source.pkg.buntime, `dependency ${blocker} failed to start`);
    try {
      const plugin = await this.#init(source, config);
      await checkHealth(plugin, this.#server?.url).catch(async (error: unknown) => {
        await this.#stopPlugin(plugin);
        throw error;
      });
      this.#running.set(plugin.name, plugin);
      this.#logger.info(`started ${pluginId(source.pkg)}`, { base: source.pkg.buntime.base });
      shadows.begin(); // once the router is up, its rescans wait beside the other setups
    } catch (error) {
      this.#markFailed(source.pkg, source.pkg.buntime, reason(error));
    }
  }

  #markFailed(plugin: { name: string; version: string }, manifest: ResolvedManifest, message: string): void {
    this.#failed.set(plugin.name, pluginStatus(plugin, manifest, message));
    this.#logger.error(`plugin ${pluginId(plugin)} failed to start: ${message}`);
  }

  /** Loads one more plugin while the kernel runs; throws (and changes nothing) when it cannot start. */
  async load(source: PluginSource): Promise<PluginStatus> {
    if (this.#running.has(source.pkg.name)) {
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_DUPLICATE", { plugin: source.pkg.name });
    }
    return (await this.apply([source]))[0] as PluginStatus;
  }

  /** Swaps a running plugin for another version of it; see `apply`. */
  async replace(source: PluginSource): Promise<PluginStatus> {
    if (!this.#running.has(source.pkg.name)) {
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_NOT_LOADED", { plugin: source.pkg.name });
    }
    return (await this.apply([source]))[0] as PluginStatus;
  }

  /**
   * Applies a batch while the kernel runs, all or nothing: each plugin is loaded, or swapped in
   * for the running version of it, in dependency order across the batch (so `auth` started in
   * the same batch as `storage` sees `keyval`). New versions start first, take the services
   * over and answer their declared health checks (`buntime.health`); then they join the pipeline
   * together, and the old versions stop once their requests in flight finish. If any plugin
   * cannot start or fails its health check, those that started stop again, the old
   * versions keep running with their services, data folders the batch created are removed,
   * and this throws naming the plugin.
   */
  apply(sources: readonly PluginSource[]): Promise<PluginStatus[]> {
    return this.#serialize(async () => {
      const replaced = sources.flatMap(({ pkg }) => this.#running.get(pkg.name) ?? []);
      const batch = new Set(sources.map(({ pkg }) => pkg.name));
      for (const { pkg } of sources) this.#checkDependents(pkg.name, pkg.version, batch);
      const prepared = this.#prepare(sources, batch);
      await checkAppShadows(prepared, this.#options.services);
      const started: LoadedPlugin[] = [];
      const newDataDirs = prepared.flatMap(({ source }) => {
        const dir = dataDirOf(this.#options.home, source.pkg.name);
        return existsSync(dir) ? [] : [dir];
      });
      try {
        for (const { source, config } of prepared) {
          started.push(
            await this.#init(source, config).catch((error: unknown) => {
              throw new BuntimeError(
                "BUNTIME_ERR_PLUGIN_START_FAILED",
                { plugin: pluginId(source.pkg), reason: reason(error) },
                { cause: error },
              );
            }),
          );
        }
        // every new version answers its declared health check before any of them serves
        for (const plugin of started) await checkHealth(plugin, this.#server?.url);
      } catch (error) {
        for (const plugin of started.reverse()) await this.#stopPlugin(plugin);
        for (const old of replaced) this.#options.services.restore(old.ctx.services, old.name);
        removeEmptyDirs(newDataDirs);
        throw error;
      }
      const previous = this.#table;
      for (const plugin of started) {
        this.#failed.delete(plugin.name);
        this.#running.set(plugin.name, plugin);
      }
      this.#recompile();
      if (replaced.length > 0) {
        void previous.drained(this.#options.drainTimeout).then(async () => {
          for (const old of replaced) await this.#stopPlugin(old);
        });
      }
      return started.map((plugin) => this.#announce(plugin, replaced));
    });
  }

  /** Logs and tells `kernel:plugins` listeners that `plugin` joined, maybe in place of an old version. */
  #announce(plugin: LoadedPlugin, replaced: readonly LoadedPlugin[]): PluginStatus {
    const status = pluginStatus(plugin, plugin.manifest);
    const old = replaced.find((candidate) => candidate.name === plugin.name);
    if (old) {
      this.#logger.info(`replaced ${pluginId(old)} with ${pluginId(plugin)}`);
      this.#options.onEvent?.({ type: "replaced", plugin: status, previous: old.version });
    } else {
      this.#logger.info(`loaded ${pluginId(plugin)}`);
      this.#options.onEvent?.({ type: "loaded", plugin: status });
    }
    return status;
  }

  /** Throws if a running plugin outside the batch needs a version of `name` that `version` is not. */
  #checkDependents(name: string, version: string, batch: ReadonlySet<string>): void {
    for (const { plugin, range } of this.#dependentsOf(name)) {
      if (batch.has(plugin.name) || satisfiesRange(version, range)) continue;
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_DEPENDENCY_INCOMPATIBLE", {
        chain: `${pluginId(plugin)} -> ${name}@${range}`,
        installed: `${name}@${version}`,
      });
    }
  }

  /**
   * Unloads plugins while the kernel runs, as one batch: new requests no longer see them,
   * requests already in flight finish, then their `onShutdown` runs (dependents first), their
   * services are withdrawn, and data folders they left empty are removed. A plugin outside the
   * batch that depends on one inside refuses the whole batch. With `waitForStop: false` it
   * resolves as soon as the plugins are out of the pipeline (what a request to the kernel API
   * needs, since it is itself in flight) and stops them afterwards.
   */
  async unload(names: string | readonly string[], { waitForStop = true } = {}): Promise<void> {
    const batch = new Set(typeof names === "string" ? [names] : names);
    const { plugins, previous } = await this.#serialize(async () => this.#detach(batch));
    for (const plugin of plugins) {
      this.#options.onEvent?.({ type: "unloaded", name: plugin.name, version: plugin.version });
    }
    const stopped = previous.drained(this.#options.drainTimeout).then(async () => {
      for (const plugin of plugins) {
        await this.#stopPlugin(plugin);
        removeEmptyDirs([dataDirOf(this.#options.home, plugin.name)]);
        this.#logger.info(`unloaded ${pluginId(plugin)}`);
      }
    });
    if (waitForStop) await stopped;
  }

  /**
   * Takes plugins out of the pipeline, dependents first; plugins that failed to start are only
   * forgotten. Changes nothing and throws when a name is unknown or a plugin outside the batch
   * depends on one inside.
   */
  #detach(batch: ReadonlySet<string>): { plugins: LoadedPlugin[]; previous: PluginTable } {
    for (const name of batch) {
      if (!this.#running.has(name) && !this.#failed.has(name)) {
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_NOT_LOADED", { plugin: name });
      }
      const dependents = this.#dependentsOf(name).filter(({ plugin }) => !batch.has(plugin.name));
      if (dependents.length > 0) {
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_IN_USE", {
          plugin: name,
          dependents: dependents.map((dependent) => dependent.plugin.name).join(", "),
        });
      }
    }
    for (const name of batch) this.#failed.delete(name);
    // the running set is in dependency order: reversed, dependents stop before what they use
    const plugins = [...this.#running.values()].filter((plugin) => batch.has(plugin.name)).reverse();
    const previous = this.#table;
    for (const plugin of plugins) this.#running.delete(plugin.name);
    this.#table = new PluginTable([...this.#running.values()]);
    return { plugins, previous };
  }

  async #stopPlugin(plugin: LoadedPlugin): Promise<void> {
    const { onShutdown } = plugin.hooks;
    try {
      if (onShutdown)
        await callWithTimeout(plugin.name, "onShutdown", this.#options.lifecycleTimeout, () => onShutdown());
    } catch (error) {
      this.#logger.error(`plugin ${plugin.name} onShutdown failed: ${reason(error)}`);
    } finally {
      await plugin.release();
    }
  }

  /** Runs `onServerStart` of every running plugin once the kernel listens. */
  async serverStarted(server: ServerInfo): Promise<void> {
    this.#server = server;
    await this.#broadcast("onServerStart", (plugin) => plugin.hooks.onServerStart?.(server));
  }

  /** Tells every running plugin about a worker event (`onWorkerSpawn` / `onWorkerTerminate`). */
  async workerEvent(hook: "onWorkerSpawn" | "onWorkerTerminate", event: WorkerEvent): Promise<void> {
    await this.#broadcast(hook, (plugin) => plugin.hooks[hook]?.(event));
  }

  async #broadcast(hook: HookName, call: (plugin: LoadedPlugin) => unknown): Promise<void> {
    const timeout = hook === "onServerStart" ? this.#options.lifecycleTimeout : this.#options.hookTimeout;
    for (const plugin of this.#table.plugins) {
      if (!plugin.hooks[hook]) continue;
      try {
        await callWithTimeout(plugin.name, hook, timeout, () => call(plugin));
      } catch (error) {
        this.#logger.error(`plugin ${plugin.name} ${hook} failed: ${reason(error)}`);
      }
    }
  }

  /** Stops every plugin in reverse dependency order, after requests in flight have finished. */
  shutdown(): Promise<void> {
    return this.#serialize(async () => {
      const plugins = [...this.#running.values()].reverse();
      const previous = this.#table;
      this.#running.clear();
      this.#table = new PluginTable([]);
      await previous.drained(this.#options.drainTimeout);
      for (const plugin of plugins) await this.#stopPlugin(plugin);
    });
  }
}
