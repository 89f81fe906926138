/**
 * Inside a worker: the app's side of WebSockets the pool accepted for it. The app exports
 * `websocket: { open, message, close }` beside `fetch`, as with `Bun.serve`; each socket it
 * sees is a small proxy whose `send` and `close` travel back to the main thread.
 */
import type {
  HeaderList,
  MessagePort,
  SocketCloseMessage,
  SocketDataMessage,
  SocketOpenMessage,
} from "../shared/protocol.ts";

/** The socket an app's handlers receive. */
export interface AppSocket {
  /** The upgrade request's URL and headers. */
  readonly data: { readonly url: string; readonly headers: HeaderList };
  /** 1 while open, 2 once closing, 3 when closed. */
  readonly readyState: number;
  send(data: string | ArrayBuffer | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** The handlers an app may export as `websocket`. */
export interface AppSocketHandlers {
  open?(ws: AppSocket): unknown;
  message?(ws: AppSocket, data: string | Uint8Array): unknown;
  close?(ws: AppSocket, code: number, reason: string): unknown;
}

class PooledSocket implements AppSocket {
  readyState = 1;

  constructor(
    private readonly port: MessagePort,
    readonly sid: number,
    readonly data: { readonly url: string; readonly headers: HeaderList },
  ) {}

  send(data: string | ArrayBuffer | Uint8Array): void {
    if (this.readyState !== 1) return;
    if (typeof data === "string") {
      this.port.postMessage({ t: "ws-data", sid: this.sid, data });
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data).slice() : data.slice();
    this.port.postMessage({ t: "ws-data", sid: this.sid, data: bytes.buffer }, [bytes.buffer]);
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState !== 1) return;
    this.readyState = 2;
    this.port.postMessage({ t: "ws-close", sid: this.sid, code, reason });
  }
}

/** The open sockets of one worker; `onCount` learns how many are open (they keep the worker alive). */
export class WorkerSockets {
  private readonly sockets = new Map<number, PooledSocket>();

  constructor(
    private readonly port: MessagePort,
    private readonly handlers: () => AppSocketHandlers | undefined,
    private readonly onCount: (delta: number) => void,
  ) {}

  open(message: SocketOpenMessage): void {
    const socket = new PooledSocket(this.port, message.sid, { url: message.url, headers: message.headers });
    this.sockets.set(message.sid, socket);
    this.onCount(1);
    this.call(socket, (handlers) => handlers.open?.(socket));
  }

  data(message: SocketDataMessage): void {
    const socket = this.sockets.get(message.sid);
    if (socket === undefined) return;
    const data = typeof message.data === "string" ? message.data : new Uint8Array(message.data);
    this.call(socket, (handlers) => handlers.message?.(socket, data));
  }

  closed(message: SocketCloseMessage): void {
    const socket = this.sockets.get(message.sid);
    if (socket === undefined) return;
    this.sockets.delete(message.sid);
    socket.readyState = 3;
    try {
      void Promise.resolve(this.handlers()?.close?.(socket, message.code, message.reason)).catch(() => {});
    } finally {
      this.onCount(-1);
    }
  }

  /** Runs a handler; one that throws closes its socket with 1011 instead of killing the worker. */
  private call(socket: PooledSocket, run: (handlers: AppSocketHandlers) => unknown): void {
    const handlers = this.handlers();
    if (handlers === undefined) return;
    try {
      void Promise.resolve(run(handlers)).catch(() => socket.close(1011, "handler failed"));
    } catch {
      socket.close(1011, "handler failed");
    }
  }
}
