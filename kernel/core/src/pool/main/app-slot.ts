/** What persistent and ephemeral apps share: their workers, spawning, and the events they report. */
import { type AppPoolStats, BuntimeError } from "@buntime/sdk";
import type { AppLogMessage } from "../shared/protocol.ts";
import type { AppMetrics } from "./app-metrics.ts";
import type { Launcher } from "./carrier.ts";
import type { ResolvedAppSpec } from "./options.ts";
import { PoolWorker, type PoolWorkerEvents } from "./pool-worker.ts";
import type { RequestOverrides } from "./request-table.ts";
import type { SpawnGate } from "./spawn-gate.ts";

/** What a slot needs from the pool. */
export interface SlotHost {
  readonly gate: SpawnGate;
  readonly memoryReportInterval: number;
  /** Makes the workers of `spec`: a thread, a sandbox of its own, or a place in its tenant group's. */
  launcher(spec: ResolvedAppSpec): Launcher;
  /** A worker was created (it may still wait for the spawn gate). */
  workerStarted(worker: PoolWorker): void;
  /** Its Bun worker now exists. */
  workerSpawned(worker: PoolWorker): void;
  workerEnded(worker: PoolWorker, reason: string): void;
  /** A worker's app wrote a log line. */
  workerLog(worker: PoolWorker, message: AppLogMessage): void;
}

/** A slot asks the pool to route the request again (it was retired meanwhile). */
export const RETRY = Symbol("retry");

/** The workers of one `name@version`. */
export abstract class AppSlot implements PoolWorkerEvents {
  abstract readonly mode: AppPoolStats["mode"];
  protected readonly workers = new Set<PoolWorker>();
  protected retired = false;

  constructor(
    readonly spec: ResolvedAppSpec,
    readonly metrics: AppMetrics,
    protected readonly host: SlotHost,
  ) {}

  /** Runs `request` in one of the app's workers. */
  abstract fetch(request: Request, overrides?: RequestOverrides): Promise<Response | typeof RETRY>;

  /** The fast path: dispatches at once when a worker is ready, else returns undefined. */
  dispatch(_request: Request, _overrides?: RequestOverrides): Promise<Response> | undefined {
    return undefined;
  }

  /** A response the pool made up on the app's behalf (overload, failed spawn), counted as an error. */
  protected failed(error: BuntimeError, headers?: HeadersInit): Response {
    this.metrics.errors++;
    return error.getResponse(headers);
  }

  /** Expiry and standby upkeep; called by the pool's ticker. */
  tick(now: number): void {
    for (const worker of this.workers) worker.tick(now);
  }

  /** Retires every worker (each closes itself once its requests are done). */
  retire(reason: string): void {
    this.retired = true;
    for (const worker of this.workers) worker.retire(reason);
  }

  /** Live figures for stats. */
  live(): { workers: number; queued: number; memory: number } {
    let memory = 0;
    for (const worker of this.workers) memory += worker.heap;
    return { workers: this.workers.size, queued: 0, memory };
  }

  /**
   * Why no new worker may start now: a worker of this app is still stuck loading. Each spawn of
   * an app that hangs at import would otherwise leave one more thread spinning for good.
   */
  protected spawnBlocked(): BuntimeError | undefined {
    for (const worker of this.workers) {
      if (!worker.stuckLoading) continue;
      return new BuntimeError("BUNTIME_ERR_POOL_WORKER_FAILED", {
        app: this.spec.key,
        reason: `its previous worker is still loading after ${this.spec.timeout} ms; no new one starts until it ends`,
      });
    }
    return undefined;
  }

  protected spawn(): PoolWorker {
    const worker = new PoolWorker(this.spec, this, this.host.launcher(this.spec));
    this.workers.add(worker);
    this.host.workerStarted(worker);
    void worker.start(this.host.gate, this.host.memoryReportInterval);
    return worker;
  }

  onRequestDone(_worker: PoolWorker, ms: number, status: number): void {
    this.metrics.active--;
    this.metrics.record(ms);
    if (status >= 500) this.metrics.errors++;
  }

  onIdle(_worker: PoolWorker): void {}

  onSpawn(worker: PoolWorker): void {
    this.metrics.spawned++;
    this.host.workerSpawned(worker);
  }

  onLog(worker: PoolWorker, message: AppLogMessage): void {
    this.host.workerLog(worker, message);
  }

  onExit(worker: PoolWorker, reason: string): void {
    this.workers.delete(worker);
    if (worker.spawned) this.metrics.ended(reason);
    this.host.workerEnded(worker, reason);
  }
}
