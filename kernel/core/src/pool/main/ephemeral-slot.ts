/**
 * An ephemeral app (`ttl: 0`): every request gets a fresh worker that closes itself after
 * answering. A few fresh workers wait on standby with the app already loaded, so a request
 * rarely waits for a spawn; at most `concurrency` requests run at once, up to `maxQueue`
 * wait, and the rest get 503 with `Retry-After`.
 *
 * With `ephemeral: "context"` the standby workers are long-lived threads serving this app alone
 * (at least one); each request runs in a new `node:vm` context inside one of them
 * (worker/fresh-context.ts), so a request costs a context instead of a thread.
 */
import { BuntimeError } from "@buntime/sdk";
import { AppSlot, RETRY } from "./app-slot.ts";
import type { PoolWorker } from "./pool-worker.ts";
import type { RequestOverrides } from "./request-table.ts";

interface Waiter {
  readonly request: Request;
  readonly overrides: RequestOverrides | undefined;
  readonly since: number;
  readonly resolve: (response: Response | typeof RETRY) => void;
}

/** The slot of an ephemeral app: a fresh worker per request, standby workers, a bounded queue. */
export class EphemeralSlot extends AppSlot {
  readonly mode = "ephemeral" as const;
  private readonly standby: PoolWorker[] = [];
  private readonly queue: Waiter[] = [];
  private running = 0;
  private lastRequest = performance.now();
  /** Fresh contexts in long-lived threads rather than a fresh worker per request. */
  private readonly contexts = this.spec.ephemeral === "context";

  fetch(request: Request, overrides?: RequestOverrides): Promise<Response | typeof RETRY> {
    if (this.retired) return Promise.resolve(RETRY);
    this.lastRequest = performance.now();
    if (this.running < this.spec.concurrency) return this.run(request, overrides);
    if (this.queue.length >= this.spec.maxQueue) {
      const error = new BuntimeError("BUNTIME_ERR_POOL_OVERLOADED", {
        app: this.spec.key,
        queued: this.queue.length,
        seconds: 1,
      });
      return Promise.resolve(this.failed(error, { "retry-after": "1" }));
    }
    const { promise, resolve } = Promise.withResolvers<Response | typeof RETRY>();
    this.queue.push({ request, overrides, since: this.lastRequest, resolve });
    return promise;
  }

  override tick(now: number): void {
    super.tick(now);
    while (this.queue.length > 0 && now - (this.queue[0] as Waiter).since >= this.spec.timeout) {
      const waiter = this.queue.shift() as Waiter;
      const error = new BuntimeError("BUNTIME_ERR_POOL_TIMEOUT", {
        app: this.spec.key,
        ms: this.spec.timeout,
      });
      waiter.resolve(this.failed(error));
    }
    if (this.standby.length > 0 && this.running === 0 && now - this.lastRequest >= this.spec.idleTimeout) {
      for (const worker of this.standby.splice(0)) worker.retire("idle");
    }
  }

  override retire(reason: string): void {
    super.retire(reason);
    this.standby.length = 0;
    for (const waiter of this.queue.splice(0)) waiter.resolve(RETRY);
  }

  override live(): { workers: number; queued: number; memory: number } {
    return { ...super.live(), queued: this.queue.length };
  }

  override onRequestDone(worker: PoolWorker, ms: number, status: number): void {
    super.onRequestDone(worker, ms, status);
    if (this.contexts) this.release();
  }

  override onIdle(worker: PoolWorker): void {
    if (worker.served === 0 || this.contexts) return;
    worker.retire("done");
    this.release();
  }

  override onExit(worker: PoolWorker, reason: string): void {
    const index = this.standby.indexOf(worker);
    if (index >= 0) this.standby.splice(index, 1);
    super.onExit(worker, reason);
  }

  private async run(request: Request, overrides?: RequestOverrides): Promise<Response | typeof RETRY> {
    this.running++;
    if (this.contexts) this.refill();
    let worker = this.take();
    if (worker === undefined) {
      const blocked = this.spawnBlocked();
      if (blocked !== undefined) {
        this.release();
        return this.failed(blocked);
      }
      worker = this.spawn();
    }
    this.refill();
    if (worker.state === "loading") await worker.ready;
    if (worker.state !== "ready") {
      if (worker.served === 0 || this.contexts) this.release();
      return this.failed(
        new BuntimeError("BUNTIME_ERR_POOL_WORKER_FAILED", {
          app: this.spec.key,
          reason: worker.failure ?? "it ended before the request",
        }),
      );
    }
    this.metrics.active++;
    return worker.dispatch(request, overrides);
  }

  /** A standby worker, loaded ones first; in context mode the least busy thread, which stays. */
  private take(): PoolWorker | undefined {
    if (this.contexts) {
      let best: PoolWorker | undefined;
      for (const worker of this.standby) {
        if (worker.state === "closing" || worker.state === "dead") continue;
        const rank = (w: PoolWorker) => (w.state === "ready" ? w.load : 1e9 + w.load);
        if (best === undefined || rank(worker) < rank(best)) best = worker;
      }
      return best;
    }
    let index = this.standby.findIndex((worker) => worker.state === "ready");
    if (index < 0) index = this.standby.findIndex((worker) => worker.state === "loading");
    if (index < 0) return undefined;
    return this.standby.splice(index, 1)[0];
  }

  private refill(): void {
    if (this.spawnBlocked()) return;
    const wanted = this.contexts ? Math.max(1, this.spec.standby) : this.spec.standby;
    while (!this.retired && this.standby.length < wanted) this.standby.push(this.spawn());
  }

  /** A request finished with its worker: let the next waiter in. */
  private release(): void {
    this.running--;
    const waiter = this.queue.shift();
    if (waiter !== undefined) void this.run(waiter.request, waiter.overrides).then(waiter.resolve);
  }
}
