/**
 * The worker pool: runs each app's requests in isolated Bun workers (own heap, modules and
 * env) behind an LRU keyed `name@version`. Persistent apps keep one warm worker; ephemeral
 * apps (`ttl: 0`) get a fresh worker per request from a standby set. Timeouts, crashes and
 * memory bombs cost only the requests of the worker at fault. One ticker drives every
 * deadline; one spawn gate bounds how many workers load at once.
 */
import {
  type AppSpec,
  BuntimeError,
  type IsolationTier,
  type PoolStats,
  type UpgradeTarget,
  type WorkerEvent,
  type WorkerPool,
} from "@buntime/sdk";
import { PoolTracing, recordedTraceParent } from "../tracing/pool-spans.ts";
import { appLog } from "./main/app-log.ts";
import { AppMetrics } from "./main/app-metrics.ts";
import { type AppSlot, RETRY, type SlotHost } from "./main/app-slot.ts";
import { AppTable } from "./main/app-table.ts";
import { EphemeralSlot } from "./main/ephemeral-slot.ts";
import { groupLauncher } from "./main/group-launcher.ts";
import {
  type ResolvedAppSpec,
  resolveAppSpec,
  resolvePoolOptions,
  type WorkerPoolOptions,
} from "./main/options.ts";
import { PersistentSlot } from "./main/persistent-slot.ts";
import type { PoolWorker } from "./main/pool-worker.ts";
import { processLauncher } from "./main/process-launcher.ts";
import { type RequestOverrides, upgradeHeaders } from "./main/request-table.ts";
import { sandboxHost } from "./main/sandbox-host.ts";
import type { PoolSocketData } from "./main/socket-bridge.ts";
import { SpawnGate } from "./main/spawn-gate.ts";
import { threadLauncher } from "./main/thread-launcher.ts";

export type { ResolvedAppSpec, ResolvedWorkerPoolOptions, WorkerPoolOptions } from "./main/options.ts";
export { APP_DEFAULTS } from "./main/options.ts";
export type { PoolSocketData } from "./main/socket-bridge.ts";
export { poolWebSocketHandler } from "./main/socket-bridge.ts";

/** The pool the kernel owns: the plugin-facing `WorkerPool`, upgrades on a given server, shutdown. */
export interface KernelWorkerPool extends Omit<WorkerPool, "upgrade"> {
  upgrade(
    app: AppSpec,
    request: Request,
    server: UpgradeTarget,
    overrides?: RequestOverrides,
  ): Promise<Response | undefined>;
  /** Retires `app`'s workers (they finish what is in flight); its next request starts fresh ones. */
  retire(app: AppSpec): void;
  /**
   * Makes sure `tier` can run (for `process`: the sandbox can be created and the script built);
   * throws the reason, e.g. `BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE`, if it cannot.
   */
  prepare(tier: IsolationTier): Promise<void>;
  /** Stops taking requests, lets workers finish and close, terminates stragglers. */
  shutdown(): Promise<void>;
}

const MAX_ROUTES = 3;

/**
 * Creates the worker pool.
 *
 * @example
 * const pool = createWorkerPool({ maxWorkers: 100 });
 * const response = await pool.fetch({ name: "hello", version: "0.0.0", entry: "/apps/hello/index.ts" }, request);
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): KernelWorkerPool {
  const resolved = resolvePoolOptions(options);
  const logger = resolved.logger;
  const metrics = new Map<string, AppMetrics>();
  const live = new Set<PoolWorker>();
  const exited = new Set<() => void>();
  const specs = new WeakMap<AppSpec, ResolvedAppSpec>();
  let closing = false;
  const tracing = options.tracer === undefined ? undefined : new PoolTracing(options.tracer);

  const slots = new AppTable(resolved.maxWorkers, (slot) => slot.retire("evicted"));

  /** Calls a hook callback; one that throws is logged and must not disturb the pool. */
  function notify(callback: ((event: WorkerEvent) => void) | undefined, event: WorkerEvent): void {
    try {
      callback?.(event);
    } catch (error) {
      logger?.error(`a worker event callback threw: ${String(error)}`, { app: event.app });
    }
  }

  const sandboxes = sandboxHost(resolved.processTier);
  const sandboxed = processLauncher(sandboxes);
  const grouped = groupLauncher(sandboxes);
  const host: SlotHost = {
    gate: new SpawnGate(resolved.maxConcurrentSpawns, resolved.maxClosingWorkers),
    memoryReportInterval: resolved.memoryReportInterval,
    launcher: (spec) =>
      spec.group !== undefined ? grouped : spec.isolation === "process" ? sandboxed : threadLauncher,
    workerStarted(worker) {
      live.add(worker);
      tracing?.workerStarted(worker);
    },
    workerSpawned(worker) {
      notify(resolved.onWorkerSpawn, { app: worker.spec.key, workerId: worker.id });
    },
    workerLog: appLog(logger),
    workerEnded(worker, reason) {
      live.delete(worker);
      for (const wake of exited) wake();
      if (!worker.spawned) return;
      if (reason !== "done" && reason !== "idle" && reason !== "shutdown") {
        logger?.warn(`worker ${worker.id} of ${worker.spec.key} ended: ${reason}`, {
          app: worker.spec.key,
          workerId: worker.id,
          reason,
          failure: worker.failure,
        });
      }
      notify(resolved.onWorkerTerminate, { app: worker.spec.key, workerId: worker.id, reason });
    },
  };

  const ticker = setInterval(() => {
    const now = performance.now();
    for (const slot of slots.values()) slot.tick(now);
    for (const worker of live) if (worker.state === "closing") worker.tick(now);
  }, resolved.tickInterval);
  ticker.unref();

  function metricsOf(key: string): AppMetrics {
    let found = metrics.get(key);
    if (found === undefined) {
      found = new AppMetrics();
      metrics.set(key, found);
    }
    return found;
  }

  function slotFor(spec: ResolvedAppSpec): AppSlot {
    const existing = slots.get(spec.key);
    if (existing !== undefined) return existing;
    metricsOf(spec.key).isolation = spec.isolation;
    const slot =
      spec.ttl === 0
        ? new EphemeralSlot(spec, metricsOf(spec.key), host)
        : new PersistentSlot(spec, metricsOf(spec.key), host);
    slots.set(spec.key, slot);
    return slot;
  }

  /** The resolved spec of `app`, cached per spec object (routers pass the same object each time). */
  function specOf(app: AppSpec): ResolvedAppSpec {
    let spec = specs.get(app);
    if (spec === undefined) {
      spec = resolveAppSpec(app, resolved.isolation);
      specs.set(app, spec);
    }
    return spec;
  }

  async function route(
    spec: ResolvedAppSpec,
    request: Request,
    overrides: RequestOverrides | undefined,
  ): Promise<Response> {
    for (let attempt = 0; attempt < MAX_ROUTES && !closing; attempt++) {
      const response = await slotFor(spec).fetch(request, overrides);
      if (response !== RETRY) return response;
    }
    metricsOf(spec.key).errors++;
    // retired under our feet each time: the pool is closing, or the LRU is thrashing
    const error = closing
      ? new BuntimeError("BUNTIME_ERR_POOL_SHUTTING_DOWN")
      : new BuntimeError("BUNTIME_ERR_POOL_OVERLOADED", { app: spec.key, queued: 0, seconds: 1 });
    return error.getResponse({ "retry-after": "1" });
  }

  return {
    fetch(app, request, overrides) {
      if (closing) {
        return Promise.resolve(
          new BuntimeError("BUNTIME_ERR_POOL_SHUTTING_DOWN").getResponse({ "retry-after": "1" }),
        );
      }
      const spec = specOf(app);
      const slot = slotFor(spec);
      slot.metrics.requests++;
      const length = request.headers.get("content-length");
      if (length !== null && Number(length) > spec.maxBodySize) {
        request.body?.cancel().catch(() => {});
        const error = new BuntimeError("BUNTIME_ERR_POOL_BODY_TOO_LARGE", {
          app: spec.key,
          limit: spec.maxBodySize,
        });
        return Promise.resolve(error.getResponse({ connection: "close" }));
      }
      const traceparent = tracing === undefined ? null : recordedTraceParent(request);
      if (tracing !== undefined && traceparent !== null) {
        const send = (amended: RequestOverrides | undefined) =>
          slot.dispatch(request, amended) ?? route(spec, request, amended);
        return tracing.fetch(traceparent, spec, overrides, send);
      }
      return slot.dispatch(request, overrides) ?? route(spec, request, overrides);
    },

    async upgrade(app, request, server, overrides) {
      if (closing)
        return new BuntimeError("BUNTIME_ERR_POOL_SHUTTING_DOWN").getResponse({ "retry-after": "1" });
      const spec = specOf(app);
      const refuse = (details: string) =>
        new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details }).getResponse();
      const slot = slotFor(spec);
      if (!(slot instanceof PersistentSlot))
        return refuse(`${spec.key} is ephemeral; WebSockets need a persistent app`);
      const worker = await slot.readyWorker();
      if (worker === RETRY) return new BuntimeError("BUNTIME_ERR_POOL_SHUTTING_DOWN").getResponse();
      if (worker instanceof Response) return worker;
      if (!worker.acceptsWebSocket) return refuse(`${spec.key} does not export websocket handlers`);
      const table = worker.sockets;
      const sid = table.reserve();
      const data: PoolSocketData = {
        pool: {
          table,
          sid,
          url: overrides?.url ?? request.url,
          headers: upgradeHeaders(request, overrides),
        },
      };
      if (server.upgrade(request, { data })) return undefined;
      table.release(sid);
      return refuse("not a WebSocket upgrade request");
    },

    retire(app) {
      const key = specOf(app).key;
      slots.peek(key)?.retire("retired");
      slots.delete(key);
    },

    prepare: (tier) => (tier === "process" ? sandboxed : threadLauncher).prepare(),

    stats(): PoolStats {
      const apps: Record<string, ReturnType<AppMetrics["snapshot"]>> = {};
      for (const [key, appMetrics] of metrics) {
        const slot = slots.peek(key);
        const liveFigures = slot?.live() ?? { workers: 0, queued: 0, memory: 0 };
        let workers = liveFigures.workers;
        if (slot === undefined) for (const worker of live) if (worker.spec.key === key) workers++;
        apps[key] = appMetrics.snapshot({ mode: slot?.mode ?? "persistent", ...liveFigures, workers });
      }
      return { workers: live.size, evicted: slots.evicted, apps };
    },

    async shutdown() {
      if (closing) return;
      closing = true;
      for (const slot of slots.clear()) slot.retire("shutdown");
      for (const worker of live) worker.retire("shutdown");
      const deadline = performance.now() + resolved.shutdownTimeout;
      while (live.size > 0) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) {
          for (const worker of live) worker.kill("shutdown");
          if (remaining < -resolved.shutdownTimeout) break;
        }
        const { promise, resolve } = Promise.withResolvers<void>();
        exited.add(resolve);
        const timer = setTimeout(resolve, Math.max(10, Math.min(100, remaining)));
        await promise;
        clearTimeout(timer);
        exited.delete(resolve);
      }
      clearInterval(ticker);
      await sandboxes.close();
    },
  };
}
