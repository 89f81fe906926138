/**
 * WebSockets to persistent workers. The pool upgrades the request on the kernel's server and
 * tags the socket with its worker; `poolWebSocketHandler` (passed to `Bun.serve` as
 * `websocket`) relays open, message and close to that worker, whose app answers through
 * `send`/`close` messages. An open socket keeps its worker alive; a worker that dies closes
 * its sockets with 1011.
 */
import type { WebSocketHandler } from "bun";
import type { HeaderList, MessagePort } from "../shared/protocol.ts";

/** The `data` of a socket the pool upgraded. */
export interface PoolSocketData {
  readonly pool: {
    readonly table: SocketTable;
    readonly sid: number;
    readonly url: string;
    readonly headers: HeaderList;
  };
}

type PoolSocket = Bun.ServerWebSocket<PoolSocketData>;

/** The sockets of one worker, reserved at upgrade and open until either side closes. */
export class SocketTable {
  private readonly sockets = new Map<number, PoolSocket | undefined>();
  private nextId = 1;

  constructor(
    private readonly port: () => MessagePort,
    private readonly onEmpty: () => void,
  ) {}

  /** Sockets reserved or open. */
  get size(): number {
    return this.sockets.size;
  }

  /** Holds a place for a socket about to be upgraded; returns its id. */
  reserve(): number {
    const sid = this.nextId++;
    this.sockets.set(sid, undefined);
    return sid;
  }

  /** The upgrade did not happen after all. */
  release(sid: number): void {
    if (this.sockets.delete(sid) && this.sockets.size === 0) this.onEmpty();
  }

  opened(ws: PoolSocket): void {
    const { sid, url, headers } = ws.data.pool;
    if (!this.sockets.has(sid)) {
      ws.close(1011, "the app's worker is gone");
      return;
    }
    this.sockets.set(sid, ws);
    this.port().postMessage({ t: "ws-open", sid, url, headers });
  }

  message(sid: number, data: string | Buffer): void {
    if (typeof data === "string") {
      this.port().postMessage({ t: "ws-data", sid, data });
      return;
    }
    const copy = new Uint8Array(data).slice().buffer;
    this.port().postMessage({ t: "ws-data", sid, data: copy }, [copy]);
  }

  /** The client side closed. */
  closed(sid: number, code: number, reason: string): void {
    if (!this.sockets.has(sid)) return;
    this.port().postMessage({ t: "ws-close", sid, code, reason });
    this.release(sid);
  }

  /** The app sent data. */
  send(sid: number, data: string | ArrayBuffer): void {
    this.sockets.get(sid)?.send(data);
  }

  /** The app closed its side. */
  close(sid: number, code: number, reason: string): void {
    this.sockets.get(sid)?.close(code, reason);
  }

  /** The worker is gone: close every socket it had. */
  closeAll(reason: string): void {
    for (const [sid, ws] of this.sockets) {
      this.sockets.delete(sid);
      ws?.close(1011, reason.slice(0, 120));
    }
  }
}

/**
 * The `websocket` handler to pass to `Bun.serve` so that sockets the pool upgraded reach
 * their app's worker.
 *
 * @example
 * Bun.serve({ fetch: (req, server) => pool.upgrade(app, req, server), websocket: poolWebSocketHandler });
 */
export const poolWebSocketHandler: WebSocketHandler<PoolSocketData> = {
  open(ws) {
    ws.data.pool.table.opened(ws);
  },
  message(ws, message) {
    ws.data.pool.table.message(ws.data.pool.sid, message);
  },
  close(ws, code, reason) {
    ws.data.pool.table.closed(ws.data.pool.sid, code, reason);
  },
};
