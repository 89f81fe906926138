import { join } from "node:path";
import {
  BuntimeError,
  type KeyValueStore,
  type PluginDefinition,
  type PluginEvent,
  parsePluginPackage,
  type WorkerEvent,
  type WorkerPool,
} from "@buntime/sdk";
import { resolveAdminToken } from "./api/admin-token.ts";
import { createReadiness, type Readiness, type ReadinessCheck } from "./api/health.ts";
import { kernelReadinessChecks } from "./api/health-checks.ts";
import { createKernelApi } from "./api/kernel-api.ts";
import { removeKernelFile, writeKernelFile } from "./api/kernel-file.ts";
import { type ClusterNode, type ClusterSupply, clusterReadinessCheck, joinCluster } from "./cluster/index.ts";
import { needsSandbox } from "./config/isolation.ts";
import { resolveConfig } from "./config/load.ts";
import type { KernelConfigOptions, ResolvedKernelConfig } from "./config/schema.ts";
import { type OriginCheck, provideKernelServices, vouched } from "./kernel-services.ts";
import type { LogSink } from "./logger.ts";
import { createLogFeed, createLogger, nodeName, stderrSink } from "./logger.ts";
import { createClientAddress } from "./pipeline/client-address.ts";
import { createDispatcher } from "./pipeline/dispatch.ts";
import { pluginFacingPool } from "./plugin-pool.ts";
import { checkPluginDirs, warnUnusedSettings } from "./plugins/check-settings.ts";
import { discoverPluginFolders } from "./plugins/discover.ts";
import { PluginHost } from "./plugins/host.ts";
import type { PluginStatus } from "./plugins/loaded-plugin.ts";
import { installedPluginDir } from "./plugins/lockfile.ts";
import type { PluginSource } from "./plugins/plugin-source.ts";
import { type FolderLoadOptions, readPluginFolder } from "./plugins/read-plugin-folder.ts";
import { linkSharedPackages } from "./plugins/shared-packages.ts";
import { validateDefinition } from "./plugins/validate-definition.ts";
import { createWorkerPool } from "./pool/index.ts";
import { createFeed } from "./services/feed.ts";
import { ServiceRegistry } from "./services/registry.ts";
import { createTracing } from "./tracing/index.ts";
import { KERNEL_VERSION } from "./version.ts";
import { WebSocketHub } from "./websocket-hub.ts";

/** A plugin passed in code rather than loaded from a folder (tests, embedding). */
export interface InlinePlugin {
  /** What the plugin's package.json would hold: name, version and the `buntime` manifest. */
  readonly packageJson: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: any plugin, whatever its config schema
  readonly plugin: PluginDefinition<any>;
}

export interface KernelOptions {
  /** Settings; see `loadConfig` to read them from file and env the way `buntime start` does. */
  readonly config?: KernelConfigOptions | ResolvedKernelConfig;
  /**
   * Plugins to start besides those found in the home and the plugin folders: passed in code, or
   * the path of one plugin's folder (which, unlike code, can carry a `ui` folder).
   */
  readonly plugins?: readonly (InlinePlugin | string)[];
  /** Receives log lines instead of stderr. */
  readonly logSink?: LogSink;
  /** Readiness checks besides the kernel's own (plugins, pool, storage), for `/_/api/health/ready`. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** Fetches and unpacks plugin tarballs for a `cluster` node (`buntime start` gives one). */
  readonly clusterSupply?: ClusterSupply;
}

/** A kernel: start its plugins, serve HTTP, load and unload plugins, stop gracefully. */
export interface Kernel {
  readonly config: ResolvedKernelConfig;
  readonly version: string;
  /** The token that authorizes kernel API writes. */
  readonly adminToken: string;
  /** Where the kernel listens, once `listen` has resolved. */
  readonly url: URL | undefined;
  readonly pool: WorkerPool;
  /** What `/_/api/health/ready` checks; `add` more while the kernel runs. */
  readonly readiness: Readiness;
  /** This node's part in a cluster (config `cluster`), else undefined. */
  readonly cluster: ClusterNode | undefined;
  /** Resolves any provided service, unscoped (for tests and embedding code, not plugins). */
  service(name: string): unknown;
  /** Discovers and starts the plugins (no HTTP yet). */
  start(): Promise<void>;
  /** Serves HTTP on the configured host and port; resolves with the URL. */
  listen(): Promise<URL>;
  /** Runs one request through the pipeline, in process. */
  fetch(request: Request): Promise<Response>;
  /** Loads the plugin in `dir` while the kernel runs. */
  load(dir: string): Promise<PluginStatus>;
  /** Swaps the running version of the plugin in `dir` for the one in `dir`, while the kernel runs. */
  replace(dir: string): Promise<PluginStatus>;
  /** Unloads a plugin while the kernel runs. */
  unload(name: string): Promise<void>;
  plugins(): PluginStatus[];
  /**
   * Stops gracefully: no new connections, requests in flight finish (up to `shutdownTimeout`),
   * `onShutdown` in reverse order, workers terminated.
   */
  stop(): Promise<void>;
}

function inlineSource(inline: InlinePlugin): PluginSource {
  const pkg = parsePluginPackage(inline.packageJson, "inline plugin");
  if (pkg.buntime.mode === "isolated") {
    throw new BuntimeError("BUNTIME_ERR_PLUGIN_ISOLATED", {
      plugin: `${pkg.name}@${pkg.version}`,
      details:
        "an isolated plugin is loaded from its folder (its entry runs in the pool), not passed in code",
    });
  }
  return {
    pkg,
    definition: validateDefinition(inline.plugin, `${pkg.name}@${pkg.version}`),
    origin: "inline",
  };
}

/** Service `name` when some plugin provides it, else undefined. */
function optionalService<T>(services: ServiceRegistry, name: string): T | undefined {
  try {
    return services.resolve(name) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a kernel.
 *
 * @example
 * const kernel = createKernel({ config: { port: 0, home: "/tmp/bt" }, plugins: [{ packageJson, plugin }] });
 * await kernel.start();
 * const url = await kernel.listen();
 */
export function createKernel(options: KernelOptions = {}): Kernel {
  const config = resolveConfig(options.config ?? {});
  const logFeed = createLogFeed();
  const node = nodeName(config.cluster?.node);
  const writeLog = options.logSink ?? stderrSink(config.logFormat, node);
  const logger = createLogger({
    level: config.logLevel,
    sink: (entry) => {
      writeLog(entry);
      logFeed.sink(entry);
    },
  });
  const adminToken = resolveAdminToken(config.home, config.adminToken);
  const tracing = createTracing(config.tracing, process.env, {
    node,
    version: KERNEL_VERSION,
    logger: logger.child("tracing"),
  });
  const services = new ServiceRegistry();
  let server: ReturnType<typeof Bun.serve> | undefined;
  const hub = new WebSocketHub();
  // the pool reports to the host's hooks, and the host hands plugins the pool: one must come first
  let host: PluginHost | undefined;
  const pluginEvents = createFeed<PluginEvent>();
  const clientAddress = createClientAddress(
    config.trustProxy,
    (request) => server?.requestIP(request)?.address,
  );
  const originChecks = new Set<OriginCheck>();
  provideKernelServices(services, {
    originChecks,
    logFeed,
    hub,
    adminToken,
    clientAddress,
    plugins: () => host?.list() ?? [],
    pluginEvents,
    logger: logger.child("schedule"),
    cluster: config.cluster,
    // joined below; plugins ask only after it exists
    clusterNode: () => cluster,
  });
  const pool = createWorkerPool({
    logger: logger.child("pool"),
    maxWorkers: config.maxWorkers,
    isolation: config.isolation,
    processTier: {
      // not under <home>/data: sandboxes' users must pass through it, plugins' data need not be near
      dataDir: join(config.home, "sandbox-data"),
      pids: config.isolation.pids,
      cpu: config.isolation.cpu,
      bwrap: config.isolation.bwrap,
    },
    onWorkerSpawn: (event: WorkerEvent) => void host?.workerEvent("onWorkerSpawn", event),
    onWorkerTerminate: (event: WorkerEvent) => void host?.workerEvent("onWorkerTerminate", event),
    tracer: tracing?.tracer,
  });
  const pluginPool = pluginFacingPool(pool, hub);
  // how plugin folders load: trust by pluginPolicy, isolated plugins in the pool (never imported here)
  const folderOptions: FolderLoadOptions = {
    home: config.home,
    policy: config.pluginPolicy,
    isolation: {
      tier: config.isolation.minimum === "process" ? "process" : config.pluginPolicy.isolation,
      prepare: (tier) => pool.prepare(tier),
      env: process.env,
    },
  };
  const readFolder = (dir: string) => readPluginFolder(dir, folderOptions);
  const pluginHost = new PluginHost({
    services,
    pool: pluginPool,
    logger,
    home: config.home,
    pluginSettings: config.plugins,
    hookTimeout: config.hookTimeout,
    lifecycleTimeout: config.lifecycleTimeout,
    drainTimeout: config.shutdownTimeout,
    onEvent: pluginEvents.emit,
  });
  host = pluginHost;
  const cluster = joinCluster(config.cluster, options.clusterSupply, {
    home: config.home,
    kernelVersion: KERNEL_VERSION,
    logger,
    host: {
      list: () => pluginHost.list(),
      apply: (sources) => pluginHost.apply(sources),
      unload: (names) => pluginHost.unload(names),
      readFolder,
    },
  });
  pluginEvents.subscribe(() => cluster?.pluginsChanged());
  const startedAt = performance.now();
  let started = false;
  const readiness = createReadiness([
    ...kernelReadinessChecks({
      running: () => started && stopping === undefined,
      plugins: () => pluginHost.list(),
      poolUp: () => stopping === undefined,
      home: config.home,
      keyval: () => optionalService<KeyValueStore>(services, "keyval"),
    }),
    ...(options.readinessChecks ?? []),
    ...(cluster ? [clusterReadinessCheck(cluster)] : []),
  ]);
  const api = createKernelApi({
    adminToken,
    startedAt,
    readiness,
    plugins: () => pluginHost.list(),
    poolStats: () => pool.stats(),
    loadedPlugins: () => pluginHost.table.plugins,
    ...(cluster ? { cluster } : {}),
    loadInstalled: async (plugins) =>
      pluginHost.apply(
        await Promise.all(
          plugins.map(({ name, version }) => readFolder(installedPluginDir(config.home, name, version))),
        ),
      ),
    unload: (names) => pluginHost.unload(names, { waitForStop: false }),
    // the table is rebuilt on every load and unload, so the document follows
    routedPlugins: () => pluginHost.table.plugins,
  });
  const dispatch = createDispatcher({
    currentTable: () => pluginHost.table,
    kernelApi: (request, context) => api.fetch(request, context),
    clientAddress,
    hookTimeout: config.hookTimeout,
    trustedOrigins: new Set(config.trustedOrigins),
    vouched: (origin, pathname) => vouched(originChecks, origin, pathname),
    trustRequestId: config.trustRequestId,
    logger: logger.child("kernel:pipeline"),
    tracer: tracing?.tracer,
  });

  let stopping: Promise<void> | undefined;
  const settleUpgrade = (response: Response) => hub.settle(response);

  return {
    config,
    version: KERNEL_VERSION,
    adminToken,
    pool: pluginPool,
    readiness,
    cluster,
    service: (name) => services.resolve(name),
    get url() {
      return server ? new URL(server.url) : undefined;
    },
    async start() {
      checkPluginDirs(config.pluginDirs);
      // apps are to run sandboxed: refuse to start rather than find out at the first request
      if (needsSandbox(config.isolation)) await pool.prepare("process");
      linkSharedPackages(config.home);
      const folders = await discoverPluginFolders(config.home, config.pluginDirs);
      const given = options.plugins ?? [];
      const sources = [
        ...(await Promise.all(folders.map(readFolder))),
        ...(await Promise.all(given.filter((plugin) => typeof plugin === "string").map(readFolder))),
        ...given.filter((plugin) => typeof plugin !== "string").map(inlineSource),
      ];
      await pluginHost.start(sources);
      warnUnusedSettings(config.plugins, pluginHost.list(), logger);
      await cluster?.start();
      started = true;
    },
    async listen() {
      server = Bun.serve({
        port: config.port,
        hostname: config.hostname,
        idleTimeout: config.idleTimeout,
        fetch: (request) => {
          const response = dispatch(request);
          return response instanceof Promise ? response.then(settleUpgrade) : hub.settle(response);
        },
        websocket: hub.handler,
        error: (error) => {
          logger.error("unhandled error while serving", { error });
          return new BuntimeError("BUNTIME_ERR_INTERNAL").getResponse();
        },
      });
      hub.attach(server);
      const url = new URL(server.url);
      writeKernelFile(config.home, url);
      logger.info(`listening on ${url.href}`);
      await pluginHost.serverStarted({ url });
      return url;
    },
    fetch: async (request) => dispatch(request),
    load: async (dir) => pluginHost.load(await readFolder(dir)),
    replace: async (dir) => pluginHost.replace(await readFolder(dir)),
    unload: (name) => pluginHost.unload(name),
    plugins: () => pluginHost.list(),
    stop() {
      stopping ??= (async () => {
        const deadline = performance.now() + config.shutdownTimeout;
        const closed = server?.stop(false); // no new connections; requests in flight go on
        // Handlers still running finish (up to the deadline), then plugins and workers stop,
        // which ends the long-lived streams they serve (log tails, SSE) instead of waiting them out.
        await cluster?.stop();
        await pluginHost.shutdown();
        await pool.shutdown();
        await tracing?.close();
        if (server && closed) {
          const late = Bun.sleep(Math.max(0, deadline - performance.now())).then(() => "late" as const);
          if ((await Promise.race([closed, late])) === "late") {
            logger.warn(`responses still streaming after ${config.shutdownTimeout} ms; closing them`);
          }
          await server.stop(true);
          removeKernelFile(config.home);
        }
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}
