/**
 * One Bun worker as the pool sees it: spawning behind the spawn gate, dispatching requests as
 * messages, tracking what is in flight, deadlines and heap reports, and ending either by
 * asking the worker to close itself or, for a stuck or bloated worker that has finished
 * loading, by terminating it. A worker is never terminated while it is still loading.
 */
import { BuntimeError } from "@buntime/sdk";
import type { ResolvedAppSpec } from "./options.ts";
import type { FromWorker, ResponseMessage } from "./protocol.ts";
import { flattenHeaders, Outbox, toHeaders } from "./protocol.ts";
import type { SpawnGate } from "./spawn-gate.ts";
import { StreamReceiver, type StreamSender, senderForReader } from "./stream-channel.ts";
import { workerScript } from "./worker-script.ts";

/** Request bodies up to this size with a known length travel inside the request message. */
const INLINE_BODY_LIMIT = 1024 * 1024;

/** At most this long a timed-out worker may take to close itself before it is terminated. */
const TIMEOUT_GRACE_MS = 2000;

export type WorkerState = "loading" | "ready" | "closing" | "dead";

/** What a worker tells its owner. */
export interface PoolWorkerEvents {
  /** A request finished (answered, streamed to the end, or failed). */
  onRequestDone(worker: PoolWorker, ms: number, status: number): void;
  /** No request is in flight any more. */
  onIdle(worker: PoolWorker): void;
  /** The Bun worker now exists (it waited for the spawn gate before). */
  onSpawn(worker: PoolWorker): void;
  /** The worker is gone, for `reason`. */
  onExit(worker: PoolWorker, reason: string): void;
}

interface InFlight {
  readonly start: number;
  readonly deadline: number;
  readonly resolve: (response: Response) => void;
  answered: boolean;
  status: number;
  receiver?: StreamReceiver;
  sender?: StreamSender;
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

  private worker: Worker | undefined;
  /** Batches what goes to the worker; set once it exists. */
  private port!: Outbox;
  private readonly requests = new Map<number, InFlight>();
  private nextRequestId = 1;
  private endReason: string | undefined;
  private killAt = Number.POSITIVE_INFINITY;
  private pendingKill: string | undefined;
  private releaseGate: (() => void) | undefined;
  private gate: SpawnGate | undefined;
  private closed: (() => void) | undefined;
  private settleReady!: (ok: boolean) => void;

  constructor(
    readonly spec: ResolvedAppSpec,
    private readonly events: PoolWorkerEvents,
  ) {
    this.ready = new Promise<boolean>((settle) => (this.settleReady = settle));
  }

  /** True once the Bun worker exists. */
  get spawned(): boolean {
    return this.worker !== undefined;
  }

  /** Requests in flight, streamed responses included. */
  get load(): number {
    return this.requests.size;
  }

  /** Waits for a spawn slot, then creates the worker and asks it to load the app. */
  async start(gate: SpawnGate, memoryReportMs: number): Promise<boolean> {
    this.gate = gate;
    const script = await workerScript();
    this.releaseGate = await gate.acquire();
    if (this.pendingKill !== undefined || this.endReason !== undefined) {
      this.releaseGate();
      this.exit(this.endReason ?? this.pendingKill ?? "shutdown");
      return this.ready;
    }
    this.spawnedAt = performance.now();
    const worker = new Worker(script, { env: { ...this.spec.env } });
    this.worker = worker;
    this.port = new Outbox(worker, "immediate");
    worker.onmessage = (event: MessageEvent<FromWorker[]>) => {
      for (const message of event.data) this.onMessage(message);
    };
    worker.addEventListener("error", (event: ErrorEvent) => {
      this.failure ??= event.message || "uncaught error";
    });
    worker.addEventListener("close", (event: Event) => {
      const code = (event as CloseEvent).code;
      this.exit(this.endReason ?? (this.state === "loading" ? "load-error" : "crash"), code);
    });
    this.port.postMessage({ t: "init", entry: this.spec.entry, memoryReportMs });
    this.events.onSpawn(this);
    return this.ready;
  }

  /** Sends `request` to the worker; resolves with the response head (bodies may still stream). */
  dispatch(request: Request): Promise<Response> {
    const worker = this.port;
    const id = this.nextRequestId++;
    const start = performance.now();
    this.served++;
    this.lastArrival = start;
    const { promise, resolve } = Promise.withResolvers<Response>();
    const entry: InFlight = {
      start,
      deadline: start + this.spec.timeout,
      resolve,
      answered: false,
      status: 0,
    };
    this.requests.set(id, entry);
    const method = request.method;
    const message = {
      t: "req" as const,
      id,
      method,
      url: request.url,
      headers: flattenHeaders(request.headers),
      body: null as ArrayBuffer | null,
      streamed: false,
    };
    const body = method === "GET" || method === "HEAD" ? null : request.body;
    if (body === null) {
      worker.postMessage(message);
      return promise;
    }
    const length = request.headers.get("content-length");
    if (length !== null && Number(length) <= INLINE_BODY_LIMIT) {
      request.arrayBuffer().then(
        (buffer) => {
          if (!this.requests.has(id)) return;
          message.body = buffer;
          worker.postMessage(message, [buffer]);
        },
        (error: unknown) => this.fail(id, 400, `could not read the request body: ${String(error)}`),
      );
      return promise;
    }
    message.streamed = true;
    worker.postMessage(message);
    const sender = senderForReader(worker, id, body.getReader(), {
      owned: true,
      limit: this.spec.maxBodySize,
    });
    entry.sender = sender;
    sender.run().then((outcome) => {
      if (outcome === "too-large") this.fail(id, 413, "");
    });
    return promise;
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
    for (const [id, entry] of this.requests) {
      if (entry.answered) continue;
      if (now < entry.deadline) break;
      this.retire("timeout");
      this.fail(id, 504, "");
      this.killAt = Math.min(this.killAt, now + Math.min(TIMEOUT_GRACE_MS, this.spec.timeout));
    }
  }

  /** Asks the worker to close itself once what it has in flight is done. */
  retire(reason: string): void {
    if (this.state === "dead" || this.endReason !== undefined) return;
    this.endReason = reason;
    const wasLoading = this.state === "loading";
    this.state = "closing";
    if (this.worker === undefined) return;
    this.closed ??= this.gate?.closingStarted();
    if (wasLoading) void this.ready.then(() => this.port.postMessage({ t: "close" }));
    else this.port.postMessage({ t: "close" });
  }

  /** Terminates the worker now; a worker still loading is terminated as soon as it loaded. */
  kill(reason: string): void {
    if (this.state === "dead") return;
    this.endReason ??= reason;
    if (this.worker === undefined || this.state === "loading" || !this.loaded) {
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
   * 502 and the slot moves on, but the worker is terminated only once it has loaded, since
   * terminating a loading worker can crash Bun. Its spawn-gate slot is freed now.
   */
  private abandonLoad(): void {
    this.failure = `it did not load within ${this.spec.timeout} ms`;
    this.endReason = "load-timeout";
    this.pendingKill = "load-timeout";
    this.state = "closing";
    this.releaseGate?.();
    this.settleReady(false);
  }

  private onMessage(message: FromWorker): void {
    switch (message.t) {
      case "res":
        this.onResponse(message);
        break;
      case "chunk":
        this.requests.get(message.id)?.receiver?.push(message.chunk);
        break;
      case "end": {
        const entry = this.requests.get(message.id);
        entry?.receiver?.end(message.error);
        if (entry) this.complete(message.id, entry);
        break;
      }
      case "ack":
        this.requests.get(message.id)?.sender?.ack(message.n);
        break;
      case "cancel":
        this.requests.get(message.id)?.sender?.cancel();
        break;
      case "fail":
        this.fail(message.id, 502, `the handler threw: ${message.message}`);
        break;
      case "mem":
        this.heap = message.heap;
        if (message.heap > this.spec.maxMemory) {
          this.failure = `its heap reached ${message.heap} bytes (limit ${this.spec.maxMemory})`;
          this.kill("memory");
        }
        break;
      case "ready":
        this.loaded = true;
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
      case "load-error":
        this.failure = `it failed to load: ${message.message}`;
        break;
    }
  }

  private onResponse(message: ResponseMessage): void {
    const entry = this.requests.get(message.id);
    if (entry === undefined || entry.answered) return;
    const init = {
      status: message.status,
      statusText: message.statusText,
      headers: toHeaders(message.headers),
    };
    entry.status = message.status;
    if (!message.streamed) {
      entry.resolve(new Response(message.body, init));
      this.complete(message.id, entry);
      return;
    }
    const id = message.id;
    const receiver = new StreamReceiver(this.port, id, () => this.complete(id, entry));
    entry.receiver = receiver;
    entry.answered = true;
    entry.resolve(new Response(receiver.stream, init));
  }

  /** Answers request `id` with a pool error (or ends its stream) and forgets it. */
  private fail(id: number, status: 413 | 400 | 502 | 504, reason: string): void {
    const entry = this.requests.get(id);
    if (entry === undefined) return;
    const app = this.spec.key;
    if (entry.answered) {
      entry.receiver?.end(reason || "the worker failed");
    } else {
      entry.status = status;
      const error =
        status === 504
          ? new BuntimeError("BUNTIME_ERR_POOL_TIMEOUT", { app, ms: this.spec.timeout })
          : status === 413
            ? new BuntimeError("BUNTIME_ERR_POOL_BODY_TOO_LARGE", { app, limit: this.spec.maxBodySize })
            : status === 400
              ? new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: reason })
              : new BuntimeError("BUNTIME_ERR_POOL_WORKER_FAILED", { app, reason });
      entry.resolve(error.getResponse());
    }
    this.complete(id, entry);
  }

  private complete(id: number, entry: InFlight): void {
    if (!this.requests.delete(id)) return;
    entry.sender?.cancel();
    const now = performance.now();
    this.events.onRequestDone(this, now - entry.start, entry.status);
    if (this.requests.size === 0) {
      this.idleSince = now;
      this.events.onIdle(this);
    }
  }

  private exit(reason: string, code?: number): void {
    if (this.state === "dead") return;
    this.state = "dead";
    this.releaseGate?.();
    this.closed?.();
    const why =
      this.failure ?? (code !== undefined && code !== 0 ? `it exited with code ${code}` : "the worker ended");
    if (!this.loaded) this.failure = why;
    for (const id of [...this.requests.keys()]) this.fail(id, 502, why);
    this.settleReady(false);
    this.events.onExit(this, reason);
  }
}
