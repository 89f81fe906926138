/** The worker pool as plugins see it: run an app's request in its isolated worker. */

/** What the pool needs to know to run an app. */
export interface AppSpec {
  /** The app's name, e.g. `todo`. */
  readonly name: string;
  /** The app's exact version; `0.0.0` for unversioned app folders. */
  readonly version: string;
  /** Absolute path of the module that default-exports `{ fetch }` or a Hono app. */
  readonly entry: string;
  /** The only environment variables the worker sees. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Milliseconds a request may take before it gets 504 and the worker is recycled. @default 30000 */
  readonly timeout?: number;
}

/** Emitted to `onWorkerSpawn` / `onWorkerTerminate` hooks. */
export interface WorkerEvent {
  /** `name@version` of the app. */
  readonly app: string;
  readonly workerId: number;
  /** Why a worker ended: `idle`, `crash`, `timeout`, `shutdown`, … */
  readonly reason?: string;
}

/** Figures for one app in the pool. */
export interface AppPoolStats {
  readonly workers: number;
  readonly requests: number;
  readonly errors: number;
  readonly active: number;
  readonly spawned: number;
  readonly terminated: number;
}

/** A snapshot of the pool. */
export interface PoolStats {
  readonly workers: number;
  readonly apps: Readonly<Record<string, AppPoolStats>>;
}

/** The worker pool offered to plugins through `ctx.pool`. */
export interface WorkerPool {
  /** Sends `request` to a worker running `app` and resolves with its response. */
  fetch(app: AppSpec, request: Request): Promise<Response>;
  /** Current figures per app. */
  stats(): PoolStats;
}
