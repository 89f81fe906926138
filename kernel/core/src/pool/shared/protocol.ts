/**
 * The messages that cross the boundary between the pool (main thread) and a worker. One
 * request costs one message each way when both bodies fit in a message; larger or open-ended
 * bodies flow as credit-controlled chunk messages keyed by the request id.
 */

/** Headers as Bun's `Headers#toJSON()` gives them: Set-Cookie as an array, so each cookie stays separate. */
export type HeaderList = Record<string, string | string[]>;

/** What the worker needs to run an isolated plugin's `setup` (see `IsolatedPluginSpec`). */
export interface PluginInit {
  /** The services it declared in `consumes`, the only ones it may call. */
  readonly consumes: readonly string[];
  readonly name: string;
  readonly version: string;
  readonly base?: string;
  readonly config: unknown;
  /** The data folder as the worker sees it. */
  readonly dataDir: string;
  readonly kernelVersion: string;
}

/** Main → worker: load the app's entry module. */
export interface InitMessage {
  readonly t: "init";
  readonly entry: string;
  /** How often the worker reports its heap while it has work in flight, in ms. */
  readonly memoryReportMs: number;
  /** The app's `maxMemory`: past it the worker collects garbage before it reports. */
  readonly maxMemory: number;
  /** Set when the entry is an isolated plugin's definition rather than an app. */
  readonly plugin?: PluginInit;
  /** `context`: evaluate the app in a new `node:vm` context for every request. */
  readonly fresh?: "context";
}

/** Main → worker: a request; `body` is inline, or `streamed` bodies follow as chunks. */
export interface RequestMessage {
  readonly t: "req";
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderList;
  /**
   * The `traceparent` of a new trace the kernel started and does not record: the worker gives
   * it to the app unless `headers` carry one. Added to the headers on this side rather than by
   * the kernel, whose thread serves every HTTP request.
   */
  readonly traceparent?: string;
  readonly body: ArrayBuffer | null;
  readonly streamed: boolean;
}

/** Worker → main: a response head, with the whole body inline unless `streamed`. */
export interface ResponseMessage {
  readonly t: "res";
  readonly id: number;
  readonly status: number;
  /** Left out when empty, as are the headers: the pool then builds a leaner Response. */
  readonly statusText?: string;
  readonly headers?: HeaderList;
  /** The whole body: bytes, or the string the app built its Response from. */
  readonly body: ArrayBuffer | string | null;
  readonly streamed: boolean;
}

/** Either side: one chunk of a streamed body. */
export interface ChunkMessage {
  readonly t: "chunk";
  readonly id: number;
  readonly chunk: Uint8Array;
}

/** Either side: a streamed body ended (`error` set when it failed). */
export interface EndMessage {
  readonly t: "end";
  readonly id: number;
  readonly error?: string;
}

/** Either side: the receiver consumed chunks; the sender may send more. */
export interface AckMessage {
  readonly t: "ack";
  readonly id: number;
  /** Chunks the receiver's reader has taken so far. */
  readonly n: number;
}

/** Either side: the receiver no longer wants the stream (client left, app ignored the body). */
export interface CancelMessage {
  readonly t: "cancel";
  readonly id: number;
}

/** Main → worker: the pool gave up on a request (its client left, or it timed out). */
export interface AbortMessage {
  readonly t: "abort";
  readonly id: number;
}

/** Worker → main: the handler threw before answering. */
export interface FailMessage {
  readonly t: "fail";
  readonly id: number;
  readonly message: string;
}

/** Worker → main: the entry loaded and the worker takes requests. */
export interface ReadyMessage {
  readonly t: "ready";
  /** The app exports `websocket` handlers and accepts upgrades. */
  readonly websocket: boolean;
}

/** Main → worker: a client's WebSocket opened (the upgrade request's URL and headers). */
export interface SocketOpenMessage {
  readonly t: "ws-open";
  readonly sid: number;
  readonly url: string;
  readonly headers: HeaderList;
}

/** Either side: one WebSocket message (text, or binary as an ArrayBuffer). */
export interface SocketDataMessage {
  readonly t: "ws-data";
  readonly sid: number;
  readonly data: string | ArrayBuffer;
}

/** Either side: the WebSocket closed (from the client) or should close (from the app). */
export interface SocketCloseMessage {
  readonly t: "ws-close";
  readonly sid: number;
  readonly code: number;
  readonly reason: string;
}

/** Worker → main: the entry could not be loaded; the worker closes itself next. */
export interface LoadErrorMessage {
  readonly t: "load-error";
  readonly message: string;
}

/** Worker → main: the worker's JS heap plus external memory (ArrayBuffers), in bytes. */
export interface MemoryMessage {
  readonly t: "mem";
  readonly heap: number;
}

/** Worker → main: the app called `process.exit(code)`; the worker ends next. */
export interface AppExitMessage {
  readonly t: "app-exit";
  readonly code: number;
}

/** How serious an app's log line is (`console.log` and `console.info` are `info`). */
export type AppLogLevel = "debug" | "info" | "warn" | "error";

/**
 * Worker → main: a line the app wrote with `console.*`, or an uncaught error (its stack in
 * `text`, its message in `uncaught`: the worker ends next). `rid` is the `x-request-id` of the
 * request whose handling wrote it, when there was one.
 */
export interface AppLogMessage {
  readonly t: "log";
  readonly level: AppLogLevel;
  readonly text: string;
  readonly rid?: string;
  /** The trace id of the request's `traceparent`. */
  readonly tid?: string;
  readonly uncaught?: string;
}

/** Main → worker: finish what is in flight, then exit. */
export interface CloseMessage {
  readonly t: "close";
}

/** One step of a service call: a method and its arguments (JSON values). */
export interface ServiceStep {
  readonly m: string;
  readonly a: readonly unknown[];
}

/** Worker → main: an isolated plugin calls a kernel service, as a chain of method calls. */
export interface ServiceCallMessage {
  readonly t: "svc";
  readonly id: number;
  readonly service: string;
  readonly chain: readonly ServiceStep[];
}

/** Main → worker: what a service call resolved to (a JSON value), or why it failed. */
export interface ServiceAnswerMessage {
  readonly t: "svc-res";
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}

/** Messages a worker receives. */
export type ToWorker =
  | InitMessage
  | RequestMessage
  | ChunkMessage
  | EndMessage
  | AckMessage
  | CancelMessage
  | AbortMessage
  | CloseMessage
  | SocketOpenMessage
  | SocketDataMessage
  | SocketCloseMessage
  | ServiceAnswerMessage;

/** Messages the pool receives from a worker. */
export type FromWorker =
  | ReadyMessage
  | LoadErrorMessage
  | ResponseMessage
  | ChunkMessage
  | EndMessage
  | AckMessage
  | CancelMessage
  | FailMessage
  | MemoryMessage
  | AppExitMessage
  | AppLogMessage
  | SocketDataMessage
  | SocketCloseMessage
  | ServiceCallMessage;

/** Something `postMessage` can be called on: a Worker from the pool, `self` inside one. */
export interface MessagePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/** Turns Headers into a plain object (native and fast in Bun), keeping every Set-Cookie separate. */
export function flattenHeaders(headers: Headers): HeaderList {
  return (headers as Headers & { toJSON(): HeaderList }).toJSON();
}

/** Headers for a Response or Request init: the object itself unless it carries cookies. */
export function toHeaders(list: HeaderList): HeadersInit {
  const cookies = list["set-cookie"];
  if (cookies === undefined) return list as Record<string, string>;
  const headers = new Headers();
  for (const name in list) {
    const value = list[name] as string | string[];
    if (typeof value === "string") headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  return headers;
}

/** When an Outbox flushes: at the end of the current job, or after the event loop's I/O phase. */
export type FlushTiming = "microtask" | "immediate";

/** A batch as it crosses: JSON text when nothing in it is transferred, else the array itself. */
export type Batch<T> = string | T[];

/** The messages of a batch an Outbox posted. */
export function unbatch<T>(batch: Batch<T>): T[] {
  return typeof batch === "string" ? (JSON.parse(batch) as T[]) : batch;
}

/**
 * Batches messages into a single `postMessage`; order is kept. On the main thread it flushes
 * on `setImmediate`, so every request Bun.serve hands over in one event-loop turn crosses in
 * one message; inside a worker, on the next microtask. Under load a boundary crossing then
 * costs a fraction of one per request. A batch without transfers crosses as JSON text, which
 * costs both threads less than cloning objects; so every binary payload of the protocol must
 * be posted with its buffer in `transfer`.
 */
export class Outbox implements MessagePort {
  private messages: unknown[] = [];
  private transfers: Transferable[] = [];
  private readonly schedule: () => void;

  constructor(
    private readonly target: MessagePort,
    timing: FlushTiming = "microtask",
  ) {
    const flush = () => this.flush();
    this.schedule = timing === "immediate" ? () => setImmediate(flush) : () => queueMicrotask(flush);
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    if (this.messages.length === 0) this.schedule();
    this.messages.push(message);
    if (transfer !== undefined) for (const item of transfer) this.transfers.push(item);
  }

  /** Posts what is queued now (before the worker exits, for instance). */
  flush(): void {
    if (this.messages.length === 0) return;
    const messages = this.messages;
    const transfers = this.transfers;
    this.messages = [];
    this.transfers = [];
    if (transfers.length === 0) this.target.postMessage(JSON.stringify(messages));
    else this.target.postMessage(messages, transfers);
  }
}
