/**
 * The messages that cross the boundary between the pool (main thread) and a worker. One
 * request costs one message each way when both bodies fit in a message; larger or open-ended
 * bodies flow as credit-controlled chunk messages keyed by the request id.
 */

/** Flat header list `[name, value, name, value, …]`; repeated names (Set-Cookie) stay separate. */
export type HeaderList = string[];

/** Main → worker: load the app's entry module. */
export interface InitMessage {
  readonly t: "init";
  readonly entry: string;
  /** How often the worker reports its heap, in ms. */
  readonly memoryReportMs: number;
}

/** Main → worker: a request; `body` is inline, or `streamed` bodies follow as chunks. */
export interface RequestMessage {
  readonly t: "req";
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderList;
  readonly body: ArrayBuffer | null;
  readonly streamed: boolean;
}

/** Worker → main: a response head, with the whole body inline unless `streamed`. */
export interface ResponseMessage {
  readonly t: "res";
  readonly id: number;
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderList;
  readonly body: ArrayBuffer | null;
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

/** Worker → main: the handler threw before answering. */
export interface FailMessage {
  readonly t: "fail";
  readonly id: number;
  readonly message: string;
}

/** Worker → main: the entry loaded and the worker takes requests. */
export interface ReadyMessage {
  readonly t: "ready";
}

/** Worker → main: the entry could not be loaded; the worker closes itself next. */
export interface LoadErrorMessage {
  readonly t: "load-error";
  readonly message: string;
}

/** Worker → main: the worker's JS heap in bytes. */
export interface MemoryMessage {
  readonly t: "mem";
  readonly heap: number;
}

/** Main → worker: finish what is in flight, then exit. */
export interface CloseMessage {
  readonly t: "close";
}

/** Messages a worker receives. */
export type ToWorker =
  | InitMessage
  | RequestMessage
  | ChunkMessage
  | EndMessage
  | AckMessage
  | CancelMessage
  | CloseMessage;

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
  | MemoryMessage;

/** Something `postMessage` can be called on: a Worker from the pool, `self` inside one. */
export interface MessagePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/** Turns a Headers object into a flat list, keeping every Set-Cookie separate. */
export function flattenHeaders(headers: Headers): HeaderList {
  const out: HeaderList = [];
  let cookies = false;
  for (const [name, value] of headers) {
    if (name === "set-cookie") {
      cookies = true;
      continue;
    }
    out.push(name, value);
  }
  if (cookies) for (const cookie of headers.getSetCookie()) out.push("set-cookie", cookie);
  return out;
}

/** Rebuilds Headers from a flat list. */
export function toHeaders(list: HeaderList): Headers {
  const headers = new Headers();
  for (let i = 0; i < list.length; i += 2) headers.append(list[i] as string, list[i + 1] as string);
  return headers;
}
