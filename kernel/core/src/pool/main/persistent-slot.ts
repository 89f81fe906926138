/**
 * A persistent app: one warm worker serves every request (interleaved, as async handlers
 * allow), with a sliding TTL, an idle timeout and recycling after `maxRequests`; a
 * replacement starts loading as soon as the old worker is retired for `maxRequests`.
 */
import { BuntimeError } from "@buntime/sdk";
import { AppSlot, RETRY } from "./app-slot.ts";
import { PoolWorker } from "./pool-worker.ts";
import type { RequestOverrides } from "./request-table.ts";

const MAX_ATTEMPTS = 3;

/** The slot of a persistent app: one warm worker, replaced when it retires. */
export class PersistentSlot extends AppSlot {
  readonly mode = "persistent" as const;
  private current: PoolWorker | undefined;

  async fetch(request: Request, overrides?: RequestOverrides): Promise<Response | typeof RETRY> {
    const worker = await this.readyWorker();
    return worker instanceof PoolWorker ? this.send(worker, request, overrides) : worker;
  }

  /** The warm worker, spawning it (or its replacement) and waiting for it to load if needed. */
  async readyWorker(): Promise<PoolWorker | Response | typeof RETRY> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (this.retired) return RETRY;
      let worker = this.current;
      if (worker === undefined || worker.state === "closing" || worker.state === "dead") {
        const blocked = this.spawnBlocked();
        if (blocked !== undefined) return this.failed(blocked);
        worker = this.spawn();
        this.current = worker;
      }
      if (worker.state === "loading" && !(await worker.ready)) {
        return this.failed(
          new BuntimeError("BUNTIME_ERR_POOL_WORKER_FAILED", {
            app: this.spec.key,
            reason: worker.failure ?? "it failed to load",
          }),
        );
      }
      if (worker.state === "ready") return worker;
    }
    return RETRY;
  }

  override dispatch(request: Request, overrides?: RequestOverrides): Promise<Response> | undefined {
    const worker = this.current;
    if (worker === undefined || worker.state !== "ready" || this.retired) return undefined;
    return this.send(worker, request, overrides);
  }

  private send(worker: PoolWorker, request: Request, overrides?: RequestOverrides): Promise<Response> {
    this.metrics.active++;
    const response = worker.dispatch(request, overrides);
    if (this.spec.maxRequests > 0 && worker.served >= this.spec.maxRequests) this.rotate(worker);
    return response;
  }

  override tick(now: number): void {
    super.tick(now);
    const worker = this.current;
    if (worker === undefined || worker.state !== "ready" || worker.load > 0) return;
    if (now - worker.idleSince >= this.spec.idleTimeout) this.expire(worker, "idle");
    else if (now - worker.lastArrival >= this.spec.ttl) this.expire(worker, "ttl");
  }

  override onExit(worker: PoolWorker, reason: string): void {
    if (this.current === worker) this.current = undefined;
    super.onExit(worker, reason);
  }

  /** Retires a worker that served `maxRequests` and starts loading its successor. */
  private rotate(worker: PoolWorker): void {
    worker.retire("max-requests");
    this.current = this.retired || this.spawnBlocked() ? undefined : this.spawn();
  }

  private expire(worker: PoolWorker, reason: string): void {
    this.current = undefined;
    worker.retire(reason);
  }
}
