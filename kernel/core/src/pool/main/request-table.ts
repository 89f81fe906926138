/**
 * The requests one worker has in flight: encoding each request into a message (inline body,
 * or a streamed upload), turning the worker's answers back into Responses (inline, or a
 * stream fed by chunk messages), deadlines, and the pool's own error answers.
 */
import { BuntimeError, type TraceCarrier, UNRECORDED_TRACEPARENT, type WorkerPool } from "@buntime/sdk";
import type { HeaderList, MessagePort, ResponseMessage } from "../shared/protocol.ts";
import { flattenHeaders, toHeaders } from "../shared/protocol.ts";
import { StreamReceiver, type StreamSender, senderForReader } from "../shared/stream-channel.ts";
import type { ResolvedAppSpec } from "./options.ts";

/** Request bodies up to this size with a known length travel inside the request message. */
const INLINE_BODY_LIMIT = 1024 * 1024;

/** What the app sees differently from the request itself (`WorkerPool.fetch`'s third argument). */
export type RequestOverrides = NonNullable<Parameters<WorkerPool["fetch"]>[2]>;

/** `headers` as `overrides` amend them: each override replaces its header, `null` removes it. */
export function amendHeaders(headers: HeaderList, overrides: RequestOverrides | undefined): HeaderList {
  const amended = overrides?.headers;
  if (amended === undefined) return headers;
  for (const name in amended) {
    const value = amended[name];
    if (value === null || value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return headers;
}

/** The message sending `request` (as `overrides` amend it) to a worker, without its body yet. */
export function requestMessage(id: number, request: Request, overrides: RequestOverrides | undefined) {
  return {
    t: "req" as const,
    id,
    method: request.method,
    url: overrides?.url ?? request.url,
    headers: amendHeaders(flattenHeaders(request.headers), overrides),
    // a new trace the kernel does not record: the worker gives the app its `traceparent`
    traceparent: (request as TraceCarrier)[UNRECORDED_TRACEPARENT],
    body: null as ArrayBuffer | null,
    streamed: false,
  };
}

/**
 * The headers a WebSocket app sees for upgrade `request`: as `overrides` amend them, with the
 * `traceparent` of a new trace the kernel does not record (no request message carries it here).
 */
export function upgradeHeaders(request: Request, overrides: RequestOverrides | undefined): HeaderList {
  const headers = amendHeaders(flattenHeaders(request.headers), overrides);
  const unrecorded = (request as TraceCarrier)[UNRECORDED_TRACEPARENT];
  if (unrecorded !== undefined) headers.traceparent ??= unrecorded;
  return headers;
}

/** The init of a worker's answer: without statusText or headers when it has none. */
function initOf(message: ResponseMessage): ResponseInit {
  const init: ResponseInit = { status: message.status };
  if (message.statusText !== undefined) init.statusText = message.statusText;
  if (message.headers !== undefined) init.headers = toHeaders(message.headers);
  return init;
}

/**
 * Bodies from this size on leave as a stream of one chunk. Bun 1.4.5 corks the head of an answer
 * that arrives after its handler returned (every worker's answer does) only when the body is
 * smaller than this: past it, each piece of the status line and of every header is a system call
 * and a TCP segment of its own (14 for a bare 64 KB answer), three quarters of the main thread's
 * time per 64 KB answer. A stream's head is written at once. Drop this once Bun corks every
 * write of a late answer (oven-sh/bun#41341, open). See docs/performance.md, "Bun's slow
 * deferred large-body response".
 */
const CORKED_BODY_LIMIT = 16384 - 1024;

/** A worker's answer whose complete body leaves as a stream (`streamsBody`). */
type LargeAnswer = ResponseMessage & { body: ArrayBuffer | string };

/**
 * Whether the answer's body goes out as a stream: a large one, unless the app set
 * `content-length` itself (it wants it sent), or the request is a HEAD (no body is written). A
 * string's length in UTF-16 units is at most its length in bytes, so every string counted large is.
 */
function streamsBody(message: ResponseMessage, method: string): message is LargeAnswer {
  const body = message.body;
  if (body === null || method === "HEAD") return false;
  const size = typeof body === "string" ? body.length : body.byteLength;
  return size >= CORKED_BODY_LIMIT && message.headers?.["content-length"] === undefined;
}

/**
 * A large answer as a one-chunk stream: sent chunked, with the `content-type` Bun gives a
 * complete body of its kind when the app set none (it gives a stream none).
 */
function streamedAnswer(message: LargeAnswer): Response {
  const body = message.body;
  const init = initOf(message);
  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) {
    headers.set(
      "content-type",
      typeof body === "string" ? "text/plain;charset=utf-8" : "application/octet-stream",
    );
  }
  init.headers = headers;
  const chunk = typeof body === "string" ? body : new Uint8Array(body);
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Response(stream, init);
}

/**
 * The Response of a worker's answer to a `method` request. A Response built without statusText
 * or headers costs Bun less than one with empty ones, and a plain 200 less still without any init.
 */
function answerOf(message: ResponseMessage, method: string): Response {
  if (streamsBody(message, method)) return streamedAnswer(message);
  if (message.status === 200 && message.statusText === undefined && message.headers === undefined) {
    return new Response(message.body);
  }
  return new Response(message.body, initOf(message));
}

/** Statuses the pool answers with on the app's behalf; 499 means the client left first. */
export type PoolFailure = 400 | 413 | 499 | 502 | 504;

interface InFlight {
  readonly request: Request;
  readonly start: number;
  readonly deadline: number;
  readonly resolve: (response: Response) => void;
  /** The head went out: the body streams, and the deadline no longer applies. */
  answered: boolean;
  status: number;
  receiver?: StreamReceiver;
  sender?: StreamSender;
}

/** What the table reports to its worker. */
export interface RequestTableEvents {
  /** A request finished after `ms` with `status`. */
  done(ms: number, status: number): void;
}

/** The in-flight requests of one worker, keyed by the id their messages carry. */
export class RequestTable {
  private readonly requests = new Map<number, InFlight>();
  private nextId = 1;

  constructor(
    private readonly spec: ResolvedAppSpec,
    private readonly events: RequestTableEvents,
  ) {}

  /** Requests in flight, streamed responses included. */
  get size(): number {
    return this.requests.size;
  }

  /**
   * Sends `request` (as `overrides` amend it) through `port`; resolves with the response head.
   * `start` is now, as the caller already read it (each clock read is a visible share of a small request).
   */
  send(
    port: MessagePort,
    request: Request,
    overrides?: RequestOverrides,
    start = performance.now(),
  ): Promise<Response> {
    const id = this.nextId++;
    const { promise, resolve } = Promise.withResolvers<Response>();
    const entry: InFlight = {
      request,
      start,
      deadline: start + this.spec.timeout,
      resolve,
      answered: false,
      status: 0,
    };
    this.requests.set(id, entry);
    const message = requestMessage(id, request, overrides);
    const method = message.method;
    const body = method === "GET" || method === "HEAD" ? null : request.body;
    if (body === null) {
      port.postMessage(message);
      return promise;
    }
    const length = request.headers.get("content-length");
    if (length !== null && Number(length) <= INLINE_BODY_LIMIT) {
      request.arrayBuffer().then(
        (buffer) => {
          if (!this.requests.has(id)) return;
          message.body = buffer;
          port.postMessage(message, [buffer]);
        },
        (error: unknown) => this.fail(id, 400, `could not read the request body: ${String(error)}`),
      );
      return promise;
    }
    message.streamed = true;
    port.postMessage(message);
    const sender = senderForReader(port, id, body.getReader(), { owned: true, limit: this.spec.maxBodySize });
    entry.sender = sender;
    sender.run().then((outcome) => {
      if (outcome === "too-large") this.fail(id, 413, "");
    });
    return promise;
  }

  /**
   * The worker answered: resolve with its response, inline or as a stream of chunk messages.
   * `now` is when its batch arrived.
   */
  respond(port: MessagePort, message: ResponseMessage, now = performance.now()): void {
    const id = message.id;
    const entry = this.requests.get(id);
    if (entry === undefined || entry.answered) return;
    entry.status = message.status;
    if (!message.streamed) {
      entry.resolve(answerOf(message, entry.request.method));
      this.complete(id, entry, now);
      return;
    }
    const init = initOf(message);
    const receiver = new StreamReceiver(port, id, () => this.complete(id, entry));
    entry.receiver = receiver;
    entry.answered = true;
    entry.resolve(new Response(receiver.stream, init));
  }

  chunk(id: number, chunk: Uint8Array): void {
    this.requests.get(id)?.receiver?.push(chunk);
  }

  /** A streamed response ended (as an error when `error` is set). */
  end(id: number, error?: string): void {
    const entry = this.requests.get(id);
    if (entry === undefined) return;
    entry.receiver?.end(error);
    this.complete(id, entry);
  }

  /** The worker consumed `consumed` chunks of an upload. */
  ack(id: number, consumed: number): void {
    this.requests.get(id)?.sender?.ack(consumed);
  }

  /** The app stopped reading an upload. */
  cancelUpload(id: number): void {
    this.requests.get(id)?.sender?.cancel();
  }

  /** Ids of requests still waiting for a head past their deadline. */
  overdue(now: number): number[] {
    const ids: number[] = [];
    for (const [id, entry] of this.requests) {
      if (entry.answered) continue;
      // insertion order is deadline order: the first one still in time ends the scan
      if (now < entry.deadline) break;
      ids.push(id);
    }
    return ids;
  }

  /**
   * Ids of requests still waiting for a head whose client has gone. Checked on the ticker,
   * not per request: `request.signal` is only looked at once a request has waited a tick.
   */
  abandoned(now: number, after: number): number[] {
    const ids: number[] = [];
    for (const [id, entry] of this.requests) {
      if (entry.answered) continue;
      if (now - entry.start < after) break;
      if (entry.request.signal.aborted) ids.push(id);
    }
    return ids;
  }

  /** Answers request `id` with a pool error (or ends its stream) and forgets it. */
  fail(id: number, status: PoolFailure, reason: string): void {
    const entry = this.requests.get(id);
    if (entry === undefined) return;
    if (entry.answered) {
      entry.receiver?.end(reason || "the worker failed");
    } else {
      entry.status = status;
      entry.resolve(
        status === 499 ? new Response(null, { status }) : this.error(status, reason).getResponse(),
      );
    }
    this.complete(id, entry);
  }

  /** Fails everything in flight (the worker is gone). */
  failAll(reason: string): void {
    for (const id of [...this.requests.keys()]) this.fail(id, 502, reason);
  }

  private error(status: Exclude<PoolFailure, 499>, reason: string): BuntimeError {
    const app = this.spec.key;
    switch (status) {
      case 504:
        return new BuntimeError("BUNTIME_ERR_POOL_TIMEOUT", { app, ms: this.spec.timeout });
      case 413:
        return new BuntimeError("BUNTIME_ERR_POOL_BODY_TOO_LARGE", { app, limit: this.spec.maxBodySize });
      case 400:
        return new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: reason });
      default:
        return new BuntimeError("BUNTIME_ERR_POOL_WORKER_FAILED", { app, reason });
    }
  }

  private complete(id: number, entry: InFlight, now = performance.now()): void {
    if (!this.requests.delete(id)) return;
    entry.sender?.cancel();
    this.events.done(now - entry.start, entry.status);
  }
}
