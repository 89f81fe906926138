/**
 * What every pool worker runs, whatever carries its messages: it loads the app's entry (a
 * default export with a `fetch` method: `{ fetch }` or a Hono app), answers request messages
 * with the app's responses, reports its heap, and exits by itself when the pool asks it to
 * close, so the pool never has to end a healthy worker. `worker-entry.ts` (a thread) and
 * `process-entry.ts` (a sandboxed process) each give it a channel.
 */

import type { Batch, FromWorker, InitMessage, RequestMessage, ToWorker } from "../shared/protocol.ts";
import { flattenHeaders, Outbox, toHeaders, unbatch } from "../shared/protocol.ts";
import {
  type ReadResult,
  StreamReceiver,
  type StreamSender,
  senderForReader,
} from "../shared/stream-channel.ts";
import {
  asRequest,
  captureConsole,
  describeLoadError,
  errorText,
  logMessage,
  type RequestLabel,
  reportCrashes,
  requestLabel,
} from "./app-output.ts";
import {
  bodyIsComplete,
  hasCompleteBody,
  nullBody,
  stringBody,
  trackCompleteBodies,
} from "./complete-bodies.ts";
import { loadFreshContextApp } from "./fresh-context.ts";
import { serveIsolatedPlugin } from "./isolated-plugin.ts";
import { MemoryReports } from "./memory-reports.ts";
import { serviceClient } from "./service-client.ts";
import { type AppSocketHandlers, WorkerSockets } from "./worker-sockets.ts";

interface App {
  fetch(request: Request): Response | Promise<Response>;
  websocket?: AppSocketHandlers;
  /** An isolated plugin's `onShutdown`, run before the worker exits on the pool's request. */
  close?(): unknown;
  /** A request is done (answered or abandoned): a fresh-context app stops what it left running. */
  settled?(request: Request): void;
}

/** How a worker talks to the pool: a thread's `postMessage`, or a child process's IPC. */
export interface WorkerChannel {
  /** Posts one batch of messages; `transfer` lists buffers that may move instead of being copied. */
  postMessage(batch: Batch<FromWorker>, transfer?: Transferable[]): void;
  /** Calls `receive` with every batch the pool sends. */
  listen(receive: (batch: Batch<ToWorker>) => void): void;
  /** Ends the worker once what was posted has left; nothing runs after it. */
  exit(code: number): void;
}

/** The running worker, for its entry: posts to the pool. */
export interface WorkerRuntime {
  /** Queues a message for the pool (batched with the others of this turn). */
  post(message: FromWorker): void;
  /** Sends what is queued now. */
  flush(): void;
}

/** Starts serving the pool over `channel`; the app loads when the pool's `init` arrives. */
export function runWorker(channel: WorkerChannel): WorkerRuntime {
  const port = new Outbox(channel) as Outbox & {
    postMessage(message: FromWorker, transfer?: Transferable[]): void;
  };

  /** An isolated plugin's calls to the kernel services it declared. */
  const services = serviceClient((message) => port.postMessage(message));

  /** Exits the worker after posting what is queued. */
  function exit(code: number): void {
    port.flush();
    channel.exit(code);
  }

  // the app's console lines and uncaught errors go to the kernel's log, labelled with the request
  captureConsole((message) => port.postMessage(message));
  reportCrashes((message) => port.postMessage(message), exit);

  /** Reports the worker's memory to the pool, once the app has loaded. */
  let memory: MemoryReports | undefined;

  /** The native class: responses the app builds with the tracking subclass are instances too. */
  const NativeResponse = globalThis.Response;
  let app: App | undefined;
  let active = 0;
  let closing = false;
  const uploads = new Map<number, StreamReceiver>();
  const sockets = new WorkerSockets(
    port,
    () => app?.websocket,
    (delta) => {
      active += delta;
      if (delta < 0) exitIfDone();
    },
  );
  const downloads = new Map<number, StreamSender>();

  let leaving = false;
  function exitIfDone(): void {
    if (!closing || active !== 0 || leaving) return;
    leaving = true;
    const close = app?.close;
    if (close === undefined) {
      exit(0);
      return;
    }
    // an isolated plugin's onShutdown; a failing one must not keep the worker alive
    Promise.resolve()
      .then(() => close.call(app))
      .then(
        () => exit(0),
        () => exit(0),
      );
  }

  /** Requests the app is handling, with the controller behind each one's `request.signal`. */
  const handling = new Map<number, AbortController>();
  /** The requests of an app that wants to hear when each is done (`settled`). */
  const settling = new Map<number, Request>();

  function finish(id: number): void {
    if (!handling.delete(id)) return;
    if (settling.size !== 0) {
      const request = settling.get(id);
      if (request !== undefined) {
        settling.delete(id);
        app?.settled?.(request);
      }
    }
    active--;
    if (active === 0) memory?.idle();
    if (uploads.size !== 0) uploads.delete(id);
    exitIfDone();
  }

  /**
   * The pool gave up on request `id` (its client left, or it timed out): abort its signal, stop
   * its streams, and stop counting it, so a closing worker can exit even if the handler hangs.
   */
  function abandon(id: number): void {
    const controller = handling.get(id);
    if (controller === undefined) return;
    downloads.get(id)?.cancel();
    uploads.get(id)?.end("the request was abandoned");
    finish(id);
    controller.abort();
  }

  function describe(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  async function load(message: InitMessage): Promise<void> {
    trackCompleteBodies();
    try {
      const candidate = (
        message.fresh === "context" ? await loadFreshContextApp(message.entry) : await loadModule(message)
      ) as Partial<App> | undefined;
      if (typeof candidate?.fetch !== "function") {
        throw new Error("the entry must default-export { fetch } or a Hono app");
      }
      app = candidate as App;
    } catch (error) {
      port.postMessage({ t: "load-error", message: describeLoadError(error) });
      exit(1);
      return;
    }
    memory = new MemoryReports((report) => port.postMessage(report), {
      busyMs: message.memoryReportMs,
      maxMemory: message.maxMemory,
      busy: () => active > 0,
    });
    memory.start();
    port.postMessage({ t: "ready", websocket: typeof app.websocket === "object" && app.websocket !== null });
  }

  async function loadModule(message: InitMessage): Promise<unknown> {
    const mod = (await import(message.entry)) as { default?: unknown };
    return message.plugin ? await serveIsolatedPlugin(mod, message.plugin, services) : (mod.default ?? mod);
  }

  function owned(bytes: Uint8Array): ArrayBuffer {
    return bytes.slice().buffer as ArrayBuffer;
  }

  function hasAny(headers: object): boolean {
    for (const _ in headers) return true;
    return false;
  }

  function answer(
    id: number,
    response: Response,
    body: ArrayBuffer | string | null,
    streamed: boolean,
  ): void {
    const empty = body === null || (typeof body === "string" ? body.length === 0 : body.byteLength === 0);
    const headers = flattenHeaders(response.headers);
    const message = {
      t: "res" as const,
      id,
      status: response.status,
      statusText: response.statusText || undefined,
      headers: hasAny(headers) ? headers : undefined,
      body: empty ? null : body,
      streamed,
    };
    if (message.body instanceof ArrayBuffer) port.postMessage(message, [message.body]);
    else port.postMessage(message);
  }

  /** Answers at once when the body needs no reading (a null-body status, a string), else reads it first. */
  function respond(id: number, response: Response): void {
    if (nullBody(response.status)) {
      answer(id, response, null, false);
      finish(id);
      return;
    }
    const text = stringBody(response);
    if (text !== undefined && !response.bodyUsed) {
      answer(id, response, text, false);
      finish(id);
      return;
    }
    readAndRespond(id, response).catch((error: unknown) => failed(id, error));
  }

  async function readAndRespond(id: number, response: Response): Promise<void> {
    if (hasCompleteBody(response)) {
      answer(id, response, await response.arrayBuffer(), false);
      return finish(id);
    }
    const source = response.body;
    if (source === null) {
      answer(id, response, null, false);
      return finish(id);
    }
    const reader = source.getReader();
    const first = await reader.read();
    if (first.done) {
      answer(id, response, null, false);
      return finish(id);
    }
    const next = reader.read();
    if (first.value instanceof Uint8Array && (await bodyIsComplete(next))) {
      answer(id, response, owned(first.value), false);
      return finish(id);
    }
    answer(id, response, null, true);
    const queue: Array<Promise<ReadResult>> = [Promise.resolve(first), next];
    const sender = senderForReader(port, id, {
      read: () => queue.shift() ?? reader.read(),
      cancel: (reason?: unknown) => reader.cancel(reason),
    });
    downloads.set(id, sender);
    await sender.run();
    downloads.delete(id);
    finish(id);
  }

  /** Tells the pool the handler failed, and stops counting the request. */
  function failed(id: number, error: unknown): void {
    port.postMessage({ t: "fail", id, message: describe(error) });
    finish(id);
  }

  /** The app's handler threw: its stack goes to the log under the request's id, the pool answers 502. */
  function threw(id: number, rid: RequestLabel | undefined, error: unknown): void {
    asRequest(rid, () => port.postMessage(logMessage("error", errorText(error))));
    failed(id, error);
  }

  /** Answers with what the app's `fetch` gave, once it settled. */
  function settle(id: number, response: unknown): void {
    if (!(response instanceof NativeResponse)) {
      failed(id, new TypeError("fetch did not return a Response"));
      return;
    }
    try {
      respond(id, response);
    } catch (error) {
      failed(id, error);
    }
  }

  /** The app's `fetch` for a labelled request (a function made once, not a closure per request). */
  function callApp(request: Request): Response | Promise<Response> {
    return (app as App).fetch(request);
  }

  /** Runs the app's `fetch`; a Response returned synchronously is answered without a promise. */
  function handle(message: RequestMessage): void {
    memory?.wake();
    active++;
    handled = true;
    const { id } = message;
    const headers = message.headers;
    // a new trace the kernel does not record: its traceparent, unless a plugin gave the app one
    if (message.traceparent !== undefined) headers.traceparent ??= message.traceparent;
    const rid = requestLabel(headers);
    const controller = new AbortController();
    handling.set(id, controller);
    let body: BodyInit | null = message.body;
    if (message.streamed) {
      const receiver = new StreamReceiver(port, id, () => uploads.delete(id));
      uploads.set(id, receiver);
      body = receiver.stream;
    }
    let response: unknown;
    try {
      const request = new Request(message.url, {
        method: message.method,
        headers: toHeaders(headers),
        body,
        signal: controller.signal,
        // @ts-expect-error Bun accepts `duplex` for streamed request bodies
        duplex: "half",
      });
      if ((app as App).settled !== undefined) settling.set(id, request);
      response = rid === undefined ? (app as App).fetch(request) : asRequest(rid, callApp, request);
    } catch (error) {
      threw(id, rid, error);
      return;
    }
    if (response instanceof NativeResponse) {
      settle(id, response);
    } else if (typeof (response as PromiseLike<unknown> | null)?.then === "function") {
      Promise.resolve(response).then(
        (resolved) => settle(id, resolved),
        (error: unknown) => threw(id, rid, error),
      );
    } else {
      settle(id, response);
    }
  }

  function receive(message: ToWorker): void {
    switch (message.t) {
      case "req":
        handle(message);
        break;
      case "chunk":
        uploads.get(message.id)?.push(message.chunk);
        break;
      case "end": {
        const upload = uploads.get(message.id);
        uploads.delete(message.id);
        upload?.end(message.error);
        break;
      }
      case "ack":
        downloads.get(message.id)?.ack(message.n);
        break;
      case "cancel":
        downloads.get(message.id)?.cancel();
        break;
      case "abort":
        abandon(message.id);
        break;
      case "svc-res":
        services.settle(message);
        break;
      case "init":
        void load(message);
        break;
      case "ws-open":
        sockets.open(message);
        break;
      case "ws-data":
        sockets.data(message);
        break;
      case "ws-close":
        sockets.closed(message);
        break;
      case "close":
        closing = true;
        exitIfDone();
        break;
    }
  }

  /** A request arrived in the batch at hand. */
  let handled = false;
  channel.listen((batch) => {
    for (const message of unbatch(batch)) receive(message);
    // a request still in flight once the batch is handled needs the busy report cadence
    if (handled && active > 0) memory?.held();
    handled = false;
  });

  return { post: (message) => port.postMessage(message), flush: () => port.flush() };
}
