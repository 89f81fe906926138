/** Pool options and per-app settings, with their defaults applied. */
import { totalmem } from "node:os";
import type { AppSpec, IsolatedPluginSpec, IsolationTier, Logger, WorkerEvent } from "@buntime/sdk";
import type { Tracer } from "../../tracing/tracer.ts";

/** Options of `createWorkerPool`. */
export interface WorkerPoolOptions {
  /**
   * Apps kept warm; past it the least recently used app with nothing in flight is evicted.
   * @default sized by memory: a quarter of the machine's memory at 2 MB per idle worker (64 to 4096)
   */
  readonly maxWorkers?: number;
  /** Workers that may be loading at once, across all apps (Bun crashes on bursts of spawns). @default 2 */
  readonly maxConcurrentSpawns?: number;
  /** Spawns wait while this many workers are still closing, so churn cannot pile up threads. @default 8 */
  readonly maxClosingWorkers?: number;
  /**
   * How often workers report their heap, in ms. A worker with work in flight that misses two
   * reports is charged with the process's growth, so this bounds how far a synchronous memory
   * bomb in the thread tier gets: at 500 ms one pushed a kernel under a 600 MB cgroup to its limit.
   * @default 100
   */
  readonly memoryReportInterval?: number;
  /** How often the pool checks deadlines, expiry and standby workers, in ms. @default 50 */
  readonly tickInterval?: number;
  /** Milliseconds `shutdown()` waits for workers to close before terminating them. @default 5000 */
  readonly shutdownTimeout?: number;
  readonly logger?: Logger;
  /**
   * Which tier apps run in: `default` for apps that do not say, `minimum` raises apps that ask
   * for `thread` (a multi-tenant host sets `minimum: "process"`). @default { default: "thread", minimum: "thread" }
   */
  readonly isolation?: {
    readonly default?: IsolationTier;
    readonly minimum?: IsolationTier;
    /**
     * Tenant groups: apps that trust each other, by name, sharing one sandbox (each in a worker
     * of its own inside it). Their apps run in the process tier whatever they ask for.
     */
    readonly groups?: Readonly<Record<string, readonly string[]>>;
  };
  /** Process tier: where apps' data folders go (`<dataDir>/<app>`), and the OS limits besides `maxMemory`. */
  readonly processTier?: ProcessTierOptions;
  onWorkerSpawn?(event: WorkerEvent): void;
  onWorkerTerminate?(event: WorkerEvent): void;
  /** Spans for dispatches and spawns of traced requests; the app gets a `traceparent` naming them. */
  readonly tracer?: Tracer;
}

/** Settings of the process tier. */
export interface ProcessTierOptions {
  /** Each app gets `<dataDir>/<name>`, its only writable folder. @default a private folder in the temp dir */
  readonly dataDir?: string;
  /** Processes and threads a sandbox may have (Bun itself needs about 20). @default 64 */
  readonly pids?: number;
  /** CPU a sandbox may use, in cores (`0.5` = half a core); `0` leaves it unlimited. @default 1 */
  readonly cpu?: number;
  /** The bubblewrap binary. @default `bwrap` on the PATH */
  readonly bwrap?: string;
}

/** Pool options after defaults. */
export interface ResolvedWorkerPoolOptions {
  readonly maxWorkers: number;
  readonly maxConcurrentSpawns: number;
  readonly maxClosingWorkers: number;
  readonly memoryReportInterval: number;
  readonly tickInterval: number;
  readonly shutdownTimeout: number;
  readonly logger: Logger | undefined;
  readonly isolation: {
    readonly default: IsolationTier;
    readonly minimum: IsolationTier;
    /** App name → the tenant group it belongs to. */
    readonly groupOf: ReadonlyMap<string, string>;
  };
  readonly processTier: ProcessTierOptions;
  readonly onWorkerSpawn: ((event: WorkerEvent) => void) | undefined;
  readonly onWorkerTerminate: ((event: WorkerEvent) => void) | undefined;
}

/** An app's settings after defaults. */
export interface ResolvedAppSpec {
  /** `name@version`, the pool's key. */
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly entry: string;
  /** The app's folder (what a process-tier app sees as `/app`), when the spec named it. */
  readonly dir: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly isolation: IsolationTier;
  /** The tenant group whose sandbox the app shares, if any. */
  readonly group: string | undefined;
  /** Hosts a process-tier app may reach through the egress proxy. */
  readonly network: readonly string[];
  /** Set when the entry is an isolated plugin. */
  readonly plugin: IsolatedPluginSpec | undefined;
  readonly timeout: number;
  readonly ttl: number;
  readonly idleTimeout: number;
  readonly maxRequests: number;
  readonly maxBodySize: number;
  readonly maxMemory: number;
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly standby: number;
  /** Ephemeral apps: a fresh `worker` per request, or a fresh `context` in a standby thread. */
  readonly ephemeral: "worker" | "context";
}

/** Defaults of the per-app settings. */
export const APP_DEFAULTS = {
  timeout: 30_000,
  ttl: 300_000,
  idleTimeout: 60_000,
  maxRequests: 0,
  maxBodySize: 16 * 1024 * 1024,
  maxMemory: 256 * 1024 * 1024,
  concurrency: 4,
  maxQueue: 64,
  standby: 2,
} as const;

/** An idle worker costs about 2 MB (measured with 200 apps); a quarter of memory is theirs. */
const IDLE_WORKER_BYTES = 2 * 1024 * 1024;

/** The default `maxWorkers` for a machine with `memory` bytes. */
export function workersForMemory(memory: number): number {
  return Math.min(4096, Math.max(64, Math.floor(memory / 4 / IDLE_WORKER_BYTES)));
}

/** Applies the defaults to the pool options. */
export function resolvePoolOptions(options: WorkerPoolOptions): ResolvedWorkerPoolOptions {
  return {
    maxWorkers: Math.max(1, options.maxWorkers ?? workersForMemory(totalmem())),
    maxConcurrentSpawns: Math.max(1, options.maxConcurrentSpawns ?? 2),
    maxClosingWorkers: Math.max(1, options.maxClosingWorkers ?? 8),
    memoryReportInterval: options.memoryReportInterval ?? 100,
    tickInterval: options.tickInterval ?? 50,
    shutdownTimeout: options.shutdownTimeout ?? 5000,
    logger: options.logger,
    isolation: {
      default: options.isolation?.default ?? "thread",
      minimum: options.isolation?.minimum ?? "thread",
      groupOf: new Map(
        Object.entries(options.isolation?.groups ?? {}).flatMap(([group, apps]) =>
          apps.map((app) => [app, group] as const),
        ),
      ),
    },
    processTier: options.processTier ?? {},
    onWorkerSpawn: options.onWorkerSpawn,
    onWorkerTerminate: options.onWorkerTerminate,
  };
}

/** Applies the defaults to an app's settings and computes its `name@version` key. */
export function resolveAppSpec(
  spec: AppSpec,
  isolation: ResolvedWorkerPoolOptions["isolation"],
): ResolvedAppSpec {
  const asked = spec.isolation ?? isolation.default;
  const group = isolation.groupOf.get(spec.name);
  return {
    // an isolated plugin and an app of the same name must not share workers or a data folder
    key: `${spec.plugin ? "plugin:" : ""}${spec.name}@${spec.version}`,
    name: spec.name,
    version: spec.version,
    entry: spec.entry,
    dir: spec.dir,
    env: { ...(spec.env ?? {}) },
    isolation: isolation.minimum === "process" || group !== undefined ? "process" : asked,
    group,
    network: [...(spec.permissions?.network ?? [])],
    plugin: spec.plugin,
    timeout: spec.timeout ?? APP_DEFAULTS.timeout,
    ttl: spec.ttl ?? APP_DEFAULTS.ttl,
    idleTimeout: spec.idleTimeout ?? APP_DEFAULTS.idleTimeout,
    maxRequests: spec.maxRequests ?? APP_DEFAULTS.maxRequests,
    maxBodySize: spec.maxBodySize ?? APP_DEFAULTS.maxBodySize,
    maxMemory: spec.maxMemory ?? APP_DEFAULTS.maxMemory,
    concurrency: Math.max(1, spec.concurrency ?? APP_DEFAULTS.concurrency),
    maxQueue: Math.max(0, spec.maxQueue ?? APP_DEFAULTS.maxQueue),
    standby: Math.max(0, spec.standby ?? APP_DEFAULTS.standby),
    ephemeral: spec.ephemeral ?? "worker",
  };
}
