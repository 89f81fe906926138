import type { SocketHandlers, WebSocketUpgrades } from "@buntime/sdk";
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";

/**
 * One Bun server has one set of WebSocket handlers; the hub lets each plugin (and the worker
 * pool) bring its own. An upgrade records the handlers under the socket's `data` object, and
 * the server's handlers forward each event there. A plugin that upgraded returns a placeholder
 * response from its handler; the server sees it and sends nothing.
 */
export class WebSocketHub {
  // biome-ignore lint/suspicious/noExplicitAny: handlers of every plugin, whatever their data
  readonly #handlers = new WeakMap<object, SocketHandlers<any>>();
  readonly #placeholders = new WeakSet<Response>();
  /** Placeholders handed out and not yet seen by the server: lets every other request skip the check. */
  #pending = 0;
  #server: Server<object> | undefined;

  /** The kernel's server, once it listens. */
  attach(server: Server<object>): void {
    this.#server = server;
  }

  /** Upgrades `request` to a socket served by `handlers`; false when it is no WebSocket request. */
  upgrade<T extends object>(
    request: Request,
    handlers: SocketHandlers<T>,
    data: T,
    headers?: HeadersInit,
  ): boolean {
    if (!this.#server) return false;
    this.#handlers.set(data, handlers);
    if (this.#server.upgrade(request, { data, headers })) return true;
    this.#handlers.delete(data);
    return false;
  }

  /** The response a plugin returns after an upgrade. */
  placeholder(): Response {
    const response = new Response(null, { status: 200 });
    this.#placeholders.add(response);
    this.#pending++;
    return response;
  }

  /** What the server answers: nothing for an upgraded request, else the response. */
  settle(response: Response): Response | undefined {
    if (this.#pending === 0 || !this.#placeholders.has(response)) return response;
    this.#pending--;
    return undefined;
  }

  /** The `kernel:websockets` service. */
  readonly service: WebSocketUpgrades = {
    upgrade: (request, handlers, data, headers) =>
      this.upgrade(request, handlers, data, headers) ? this.placeholder() : undefined,
    available: () => this.#server !== undefined,
  };

  /** The `websocket` option of the kernel's `Bun.serve`. */
  readonly handler: WebSocketHandler<object> = {
    open: (ws) => this.#of(ws)?.open?.(ws),
    message: (ws, message) => this.#of(ws)?.message?.(ws, message),
    close: (ws, code, reason) => {
      this.#of(ws)?.close?.(ws, code, reason);
      this.#handlers.delete(ws.data);
    },
    drain: (ws) => this.#of(ws)?.drain?.(ws),
  };

  // biome-ignore lint/suspicious/noExplicitAny: see #handlers
  #of(ws: ServerWebSocket<object>): SocketHandlers<any> | undefined {
    return this.#handlers.get(ws.data);
  }
}
