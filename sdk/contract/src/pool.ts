/** The worker pool as plugins see it: run an app's request in its isolated worker. */

/**
 * Where an app's code runs: `thread`, a Bun worker in the kernel's process (dense and fast, for
 * code you trust); `process`, a sandboxed child process of its own (for code you do not trust).
 */
export type IsolationTier = "thread" | "process";

/** What a `process`-tier app may reach beyond its own folder; nothing else is reachable. */
export interface AppPermissions {
  /** Hosts the app may reach through the kernel's egress proxy: `api.example.com`, `*.example.com`, `host:8443`. @default [] */
  readonly network?: readonly string[];
}

/**
 * An isolated plugin run as an app: its entry default-exports `definePlugin({ setup })`, and
 * the worker runs `setup` with this config and serves the `fetch` and `routes` it returns.
 */
export interface IsolatedPluginSpec {
  /** The plugin's settings, validated inside the worker by the plugin's own schema. */
  readonly config: unknown;
  /** The plugin's base path, e.g. `/notes`. */
  readonly base?: string;
  /** The plugin's data folder as the kernel keeps it (a `process`-tier worker sees it as `/data`). */
  readonly dataDir: string;
  /** The kernel's version, for `ctx.kernel.version`. */
  readonly kernelVersion: string;
  /** The services it declared in `consumes`: the only ones its calls reach. @default [] */
  readonly consumes?: readonly string[];
  /** Resolves a declared service for it, kernel-side (a keyval scoped to its own namespace, say). */
  readonly services?: { get(name: string): unknown };
}

/** What the pool needs to know to run an app. Durations are in milliseconds, sizes in bytes. */
export interface AppSpec {
  /** The app's name, e.g. `todo`. */
  readonly name: string;
  /** The app's exact version; `0.0.0` for unversioned app folders. */
  readonly version: string;
  /** Absolute path of the module that default-exports `{ fetch }` or a Hono app. */
  readonly entry: string;
  /** The only environment variables the worker sees. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** The app's folder; a `process`-tier app sees only this folder (read-only), as `/app`. */
  readonly dir?: string;
  /** The tier the app asks for; the pool's own setting may raise it to `process`. @default the pool's default, `thread` */
  readonly isolation?: IsolationTier;
  /** What a `process`-tier app may reach (the `thread` tier cannot enforce permissions). */
  readonly permissions?: AppPermissions;
  /** Set when the entry is an isolated plugin rather than an app. */
  readonly plugin?: IsolatedPluginSpec;
  /** Milliseconds a request may take before it gets 504 and the worker is recycled. @default 30000 */
  readonly timeout?: number;
  /**
   * How long a persistent worker lives after the last request arrived (sliding); `0` makes the
   * app ephemeral: a fresh worker per request, discarded after. @default 300000
   */
  readonly ttl?: number;
  /** A persistent worker with nothing in flight for this long is retired. @default 60000 */
  readonly idleTimeout?: number;
  /** A persistent worker is recycled after this many requests; `0` means never. @default 0 */
  readonly maxRequests?: number;
  /** Request bodies larger than this get 413 without reaching the worker. @default 16777216 */
  readonly maxBodySize?: number;
  /** A worker whose reported memory (JS heap plus ArrayBuffers) passes this is recycled. @default 268435456 */
  readonly maxMemory?: number;
  /** Ephemeral apps: requests served at once; more wait in the queue. @default 4 */
  readonly concurrency?: number;
  /** Ephemeral apps: requests that may wait; past it the pool answers 503. @default 64 */
  readonly maxQueue?: number;
  /** Ephemeral apps: fresh workers kept loaded on standby so requests skip the spawn. @default 2 */
  readonly standby?: number;
  /**
   * Ephemeral apps: `worker` gives each request a fresh worker; `context` keeps `standby` threads
   * (at least one) serving this app alone, each request evaluated in a new `node:vm` context.
   * @default "worker"
   */
  readonly ephemeral?: "worker" | "context";
}

/** Emitted to `onWorkerSpawn` / `onWorkerTerminate` hooks. */
export interface WorkerEvent {
  /** `name@version` of the app. */
  readonly app: string;
  readonly workerId: number;
  /** Why a worker ended: `idle`, `ttl`, `max-requests`, `done`, `crash`, `timeout`, `memory`, `evicted`, `shutdown`, `load-error`. */
  readonly reason?: string;
}

/** Request latency percentiles over an app's recent requests, in milliseconds. */
export interface LatencyStats {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Figures for one app in the pool. */
export interface AppPoolStats {
  /** `persistent` or `ephemeral` (`ttl: 0`). */
  readonly mode: "persistent" | "ephemeral";
  /** The tier the app runs in. */
  readonly isolation: IsolationTier;
  /** Workers alive now (serving, on standby or closing). */
  readonly workers: number;
  readonly requests: number;
  /** Requests answered with a 5xx, by the pool or by the app. */
  readonly errors: number;
  /** Requests in flight. */
  readonly active: number;
  /** Requests waiting for an ephemeral worker. */
  readonly queued: number;
  readonly spawned: number;
  readonly terminated: number;
  /** Terminated workers counted by reason (`idle`, `timeout`, `crash`, …). */
  readonly recycled: Readonly<Record<string, number>>;
  /** Sum of the memory (JS heap plus ArrayBuffers) its workers last reported, in bytes. */
  readonly memory: number;
  readonly latency: LatencyStats;
}

/** A snapshot of the pool. */
export interface PoolStats {
  readonly workers: number;
  /** Apps evicted to make room for others since the pool started (a sign `maxWorkers` is too small). */
  readonly evicted: number;
  readonly apps: Readonly<Record<string, AppPoolStats>>;
}

/** The part of Bun's `Server` the pool needs to take over a WebSocket upgrade. */
export interface UpgradeTarget {
  upgrade(request: Request, options: { data: unknown }): boolean;
}

/**
 * Parts of a request the app sees differently from the request handed to the pool, so a
 * router forwarding under another path need not copy the request (method, body and abort
 * signal always come from the request itself).
 */
export interface RequestOverrides {
  /** The URL the app sees instead of `request.url`. */
  readonly url?: string;
  /**
   * Headers set on top of the request's, replacing any of the same (lower-case) name; `null`
   * removes that header (how a router keeps credentials from an app without copying the request).
   */
  readonly headers?: Readonly<Record<string, string | null>>;
}

/** The worker pool offered to plugins through `ctx.pool`. */
export interface WorkerPool {
  /** Sends `request` (as `overrides` amend it) to a worker running `app`; resolves with its response. */
  fetch(app: AppSpec, request: Request, overrides?: RequestOverrides): Promise<Response>;
  /**
   * Upgrades `request` (as the kernel's server received it) to a WebSocket served by the
   * persistent worker of `app`, whose entry exports `websocket` handlers beside `fetch`.
   * Resolves with the response to return from the plugin's handler: once upgraded, a placeholder
   * the kernel recognizes (nothing is sent), else an error response. `overrides` amend the URL
   * and headers the app sees, as for `fetch` (the upgrade itself answers the request as received).
   */
  upgrade?(app: AppSpec, request: Request, overrides?: RequestOverrides): Promise<Response>;
  /**
   * Retires `app`'s workers: they finish what they have in flight, then close (running an
   * isolated plugin's `onShutdown`); its next request starts fresh ones. For a plugin that
   * unloads or changes its config.
   */
  retire?(app: AppSpec): void;
  /** Current figures per app. */
  stats(): PoolStats;
}
