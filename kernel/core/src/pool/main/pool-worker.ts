/**
 * One worker as the pool sees it, in either tier: spawning behind the spawn gate, dispatching
 * requests as messages, tracking what is in flight, deadlines and heap reports, and ending
 * either by asking the worker to close itself or, for a stuck or bloated worker, by
 * terminating it. A Bun worker (thread tier) is never terminated while it is still loading.
 */

import type { AppLogMessage, FromWorker } from "../shared/protocol.ts";
import { type Batch, Outbox, unbatch } from "../shared/protocol.ts";
import type { Carrier, Launcher } from "./carrier.ts";
import type { ResolvedAppSpec } from "./options.ts";
import { type RequestOverrides, RequestTable } from "./request-table.ts";
import { answerServiceCall } from "./service-calls.ts";
import { SocketTable } from "./socket-bridge.ts";
import type { SpawnGate } from "./spawn-gate.ts";
import { StallWatch } from "./stall-watch.ts";

/** Requests are checked for a client that left once they have waited this long. */
const ABANDON_CHECK_AFTER_MS = 20;

/** At most this long a timed-out worker may take to close itself before it is terminated. */
const TIMEOUT_GRACE_MS = 2000;

/** A worker's life: loading the app, serving, on its way out (asked to close or terminated), gone. */
export type WorkerState = "loading" | "ready" | "closing" | "dead";

/** What a worker tells its owner. */
export interface PoolWorkerEvents {
  /** A request finished (answered, streamed to the end, or failed). */
  onRequestDone(worker: PoolWorker, ms: number, status: number): void;
  /** No request is in flight any more. */
  onIdle(worker: PoolWorker): void;
  /** The worker now exists (it waited for the spawn gate before). */
  onSpawn(worker: PoolWorker): void;
  /** The worker is gone, for `reason`. */
  onExit(worker: PoolWorker, reason: string): void;
  /** The app wrote a console line, or an error escaped it. */
  onLog(worker: PoolWorker, message: AppLogMessage): void;
}

let nextWorkerId = 1;

/** The main-thread handle of one worker. */
export class PoolWorker {
  readonly id = nextWorkerId++;
  state: WorkerState = "loading";
  /** Resolves true once the app loaded, false if it failed to (see `failure`). */
  readonly ready: Promise<boolean>;
  /** Why loading failed, when it did. */
  failure: string | undefined;
  /** Requests dispatched to this worker. */
  served = 0;
  /** The JS heap the worker last reported, in bytes. */
  heap = 0;
  readonly createdAt = performance.now();
  /** When the last request arrived / when the worker last had nothing in flight. */
  lastArrival = this.createdAt;
  idleSince = this.createdAt;

  private worker: Carrier | undefined;
  /** Batches what goes to the worker; set once it exists. */
  private port!: Outbox;
  private readonly requests: RequestTable;
  /** WebSockets this worker serves. */
  readonly sockets: SocketTable;
  /** The app exports `websocket` handlers. */
  acceptsWebSocket = false;
  private endReason: string | undefined;
  private killAt = Number.POSITIVE_INFINITY;
  private pendingKill: string | undefined;
  private releaseGate: (() => void) | undefined;
  private gate: SpawnGate | undefined;
  private closed: (() => void) | undefined;
  private settleReady!: (ok: boolean) => void;
  /** Catches memory allocated while the worker does not yield (its own reports cannot). */
  private stall: StallWatch | undefined;

  constructor(
    readonly spec: ResolvedAppSpec,
    private readonly events: PoolWorkerEvents,
    private readonly launcher: Launcher,
  ) {
    this.ready = new Promise<boolean>((settle) => (this.settleReady = settle));
    this.requests = new RequestTable(spec, {
      done: (ms, status) => {
        events.onRequestDone(this, ms, status);
        this.settle();
      },
    });
    this.sockets = new SocketTable(
      () => this.port,
      () => this.settle(),
    );
  }

  /** True once the worker exists. */
  get spawned(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Gave up waiting for the app to load but cannot be terminated before it has (Bun may crash):
   * its thread lives on until the import ends, possibly never.
   */
  get stuckLoading(): boolean {
    return this.endReason === "load-timeout" && !this.loaded && this.state !== "dead";
  }

  /** Requests in flight (streamed responses included) and open WebSockets. */
  get load(): number {
    return this.requests.size + this.sockets.size;
  }

  /** Nothing in flight any more: note it, and let a retiring worker count as closing. */
  private settle(): void {
    if (this.load > 0) return;
    if (this.state === "closing" && this.worker !== undefined) this.closed ??= this.gate?.closingStarted();
    this.idleSince = performance.now();
    this.events.onIdle(this);
  }

  /** Waits for a spawn slot, then creates the worker and asks it to load the app. */
  async start(gate: SpawnGate, memoryReportMs: number): Promise<boolean> {
    this.gate = gate;
    try {
      await this.launcher.prepare();
    } catch (error) {
      return this.failToStart(error);
    }
    this.releaseGate = await gate.acquire();
    if (this.pendingKill !== undefined || this.endReason !== undefined) {
      this.releaseGate();
      this.exit(this.endReason ?? this.pendingKill ?? "shutdown");
      return this.ready;
    }
    this.spawnedAt = performance.now();
    // a thread with work in flight reports every interval; two missed reports mean it is not
    // yielding. A process needs no such guess: the OS (or the sandbox's watchdog) limits it.
    const stall = this.launcher.tier === "thread" ? new StallWatch(2 * memoryReportMs) : undefined;
    this.stall = stall;
    let carrier: Carrier;
    try {
      carrier = await this.launcher.launch(this.spec, {
        message: (batch) => this.receive(batch),
        error: (message) => {
          this.failure ??= message;
        },
        retire: (reason) => this.retire(reason),
        exit: (why, limit) => {
          if (limit === "memory")
            this.failure ??= `it passed its memory limit of ${this.spec.maxMemory} bytes`;
          if (limit === "pids") this.failure ??= "it passed its limit on processes and threads";
          const reason =
            limit === "memory"
              ? "memory"
              : (this.endReason ?? (this.state === "loading" ? "load-error" : "crash"));
          this.exit(reason, why);
        },
      });
    } catch (error) {
      this.releaseGate();
      return this.failToStart(error);
    }
    this.worker = carrier;
    this.port = new Outbox(carrier, "immediate");
    const plugin = this.spec.plugin;
    this.port.postMessage({
      t: "init",
      entry: carrier.entry,
      memoryReportMs,
      maxMemory: this.spec.maxMemory,
      ...(this.spec.ttl === 0 && this.spec.ephemeral === "context" && { fresh: "context" as const }),
      ...(plugin && {
        plugin: {
          consumes: [...(plugin.consumes ?? [])],
          name: this.spec.name,
          version: this.spec.version,
          base: plugin.base,
          config: plugin.config,
          dataDir: carrier.dataDir ?? plugin.dataDir,
          kernelVersion: plugin.kernelVersion,
        },
      }),
    });
    this.events.onSpawn(this);
    return this.ready;
  }

  /** The worker could not be created (the tier is unavailable, the spawn failed). */
  private failToStart(error: unknown): Promise<boolean> {
    this.failure = `it could not be spawned: ${error instanceof Error ? error.message : String(error)}`;
    this.exit("load-error");
    return this.ready;
  }

  private receive(batch: Batch<FromWorker>): void {
    const now = performance.now();
    this.stall?.heard(now);
    for (const message of unbatch(batch)) {
      try {
        this.onMessage(message, now);
      } catch (error) {
        // a malformed answer must cost the request, never the kernel
        if ("id" in message) this.requests.fail(message.id, 502, `invalid answer: ${String(error)}`);
      }
    }
  }

  /** Sends `request` to the worker; resolves with the response head (bodies may still stream). */
  dispatch(request: Request, overrides?: RequestOverrides): Promise<Response> {
    this.served++;
    const now = performance.now();
    this.lastArrival = now;
    this.stall?.heard(now);
    return this.requests.send(this.port, request, overrides, now);
  }

  /** Checks deadlines; called by the pool's single ticker. */
  tick(now: number): void {
    if (this.state === "loading") {
      if (this.worker !== undefined && now - this.spawnedAt >= this.spec.timeout) this.abandonLoad();
      return;
    }
    if (now >= this.killAt) {
      this.kill(this.endReason ?? "timeout");
      return;
    }
    if (this.checkStalledMemory(now)) return;
    for (const id of this.requests.abandoned(now, ABANDON_CHECK_AFTER_MS)) {
      this.port.postMessage({ t: "abort", id });
      this.requests.fail(id, 499, "");
    }
    const overdue = this.requests.overdue(now);
    if (overdue.length === 0) return;
    this.retire("timeout");
    this.killAt = Math.min(this.killAt, now + Math.min(TIMEOUT_GRACE_MS, this.spec.timeout));
    for (const id of overdue) {
      this.port.postMessage({ t: "abort", id });
      this.requests.fail(id, 504, "");
    }
  }

  /** Terminates a worker that has stopped answering while the process grew past its `maxMemory`. */
  private checkStalledMemory(now: number): boolean {
    if (this.stall === undefined || !this.loaded) return false;
    if (this.load === 0) {
      this.stall.reset();
      return false;
    }
    const charged = this.stall.check(now, this.heap, this.spec.maxMemory);
    if (charged === undefined) return false;
    this.failure = `its memory reached about ${charged} bytes without yielding (limit ${this.spec.maxMemory})`;
    this.kill("memory");
    return true;
  }

  /** Asks the worker to close itself once what it has in flight is done. */
  retire(reason: string): void {
    if (this.state === "dead" || this.endReason !== undefined) return;
    this.endReason = reason;
    const wasLoading = this.state === "loading";
    this.state = "closing";
    if (this.worker === undefined) return;
    if (this.load === 0) this.closed ??= this.gate?.closingStarted();
    if (wasLoading) void this.ready.then(() => this.port.postMessage({ t: "close" }));
    else this.port.postMessage({ t: "close" });
  }

  /** Terminates the worker now; a worker still loading is terminated as soon as it loaded. */
  kill(reason: string): void {
    if (this.state === "dead") return;
    this.endReason ??= reason;
    const safeNow = this.worker?.killableWhileLoading === true;
    if (this.worker === undefined || (!safeNow && (this.state === "loading" || !this.loaded))) {
      this.pendingKill = reason;
      if (this.state !== "loading") this.state = "closing";
      return;
    }
    this.state = "closing";
    this.closed ??= this.gate?.closingStarted();
    this.worker.terminate();
  }

  private loaded = false;
  private spawnedAt = 0;

  /**
   * The app has not loaded within its timeout (a loop at import, say): waiting requests get
   * 502 and the slot moves on. A process is ended now; a Bun worker only once it has loaded,
   * since terminating a loading worker can crash Bun. Its spawn-gate slot is freed now.
   */
  private abandonLoad(): void {
    this.failure = `it did not load within ${this.spec.timeout} ms`;
    this.endReason = "load-timeout";
    this.pendingKill = "load-timeout";
    this.state = "closing";
    this.releaseGate?.();
    this.settleReady(false);
    if (this.worker?.killableWhileLoading) {
      this.closed ??= this.gate?.closingStarted();
      this.worker.terminate();
    }
  }

  /** One message of a batch that arrived at `now`. */
  private onMessage(message: FromWorker, now: number): void {
    switch (message.t) {
      case "res":
        this.requests.respond(this.port, message, now);
        break;
      case "chunk":
        this.requests.chunk(message.id, message.chunk);
        break;
      case "end":
        this.requests.end(message.id, message.error);
        break;
      case "ack":
        this.requests.ack(message.id, message.n);
        break;
      case "cancel":
        this.requests.cancelUpload(message.id);
        break;
      case "fail":
        this.requests.fail(message.id, 502, `the handler threw: ${message.message}`);
        break;
      case "mem":
        this.heap = message.heap;
        if (message.heap > this.spec.maxMemory) {
          this.failure = `its heap reached ${message.heap} bytes (limit ${this.spec.maxMemory})`;
          this.kill("memory");
        }
        break;
      case "app-exit":
        this.failure = `the app called process.exit with code ${message.code}, which in the thread tier ends only its own worker`;
        break;
      case "ws-data":
        this.sockets.send(message.sid, message.data);
        break;
      case "ws-close":
        this.sockets.close(message.sid, message.code, message.reason);
        break;
      case "ready":
        this.loaded = true;
        this.acceptsWebSocket = message.websocket;
        this.releaseGate?.();
        if (this.pendingKill !== undefined) {
          this.state = "closing";
          this.closed ??= this.gate?.closingStarted();
          this.worker?.terminate();
        } else if (this.state === "loading") {
          this.state = "ready";
        }
        this.settleReady(true);
        break;
      case "svc":
        void answerServiceCall(this.spec.plugin, message).then((answer) => this.port.postMessage(answer));
        break;
      case "log":
        if (message.uncaught !== undefined)
          this.failure ??= `it threw an uncaught error: ${message.uncaught}`;
        this.events.onLog(this, message);
        break;
      case "load-error":
        this.failure = `it failed to load: ${message.message}`;
        break;
    }
  }

  private exit(reason: string, how?: string): void {
    if (this.state === "dead") return;
    this.state = "dead";
    this.releaseGate?.();
    this.closed?.();
    const why = this.failure ?? how ?? "the worker ended";
    if (!this.loaded) this.failure = why;
    this.requests.failAll(why);
    this.sockets.closeAll(why);
    this.settleReady(false);
    this.events.onExit(this, reason);
  }
}
