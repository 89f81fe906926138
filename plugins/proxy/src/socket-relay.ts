/**
 * WebSocket pass-through. An upgrade request that a rule takes is first connected to the
 * upstream (`ws:`/`wss:` for the rule's `http:`/`https:`); only when the upstream accepts is the
 * client upgraded, so an upstream that is down still gets a coded 502. Then messages flow both
 * ways as they come, and a close on either side closes the other with the same code.
 *
 * The client is upgraded on the kernel's server through the `kernel:websockets` service, with
 * `proxyWebSocketHandler` serving its socket.
 */
import { BuntimeError } from "@buntime/sdk";
import type { ServerWebSocket, WebSocketHandler } from "bun";
import { upstreamUrl } from "./forward.ts";
import type { CompiledRule } from "./rule-table.ts";

/** The part of Bun's `Server` that upgrades a request (the listening server itself). */
export interface SocketServer {
  upgrade(request: Request, options: { data: RelayData; headers?: HeadersInit }): boolean;
}

/** One relayed connection: the upstream socket, and the client's once it has opened. */
interface Relay {
  readonly upstream: WebSocket;
  client: ServerWebSocket<RelayData> | undefined;
  /** Upstream messages that came before the client's socket opened. */
  readonly early: (string | ArrayBuffer)[];
  /** The upstream's close, if it came before the client's socket opened. */
  closed: { code: number; reason: string } | undefined;
}

/** The `data` of a client socket the proxy upgraded. */
export interface RelayData {
  readonly proxyRelay: Relay;
}

// Headers the client's handshake carries that the upstream's handshake should see too.
const FORWARDED = ["authorization", "cookie", "origin", "user-agent", "x-forwarded-for"];

/** True when `request` asks for a WebSocket upgrade. */
export function isWebSocketUpgrade(request: Request): boolean {
  return request.method === "GET" && request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/** A close code the other side may be sent (1005 and 1006 are only ever reported, never sent). */
function sendable(code: number): number {
  return code === 1000 ||
    (code >= 3000 && code <= 4999) ||
    (code >= 1001 && code <= 1014 && code !== 1005 && code !== 1006)
    ? code
    : 1011;
}

function connect(entry: CompiledRule, request: Request, pathname: string): Promise<WebSocket> {
  const target = upstreamUrl(entry, pathname, new URL(request.url).search);
  target.protocol = target.protocol === "https:" ? "wss:" : "ws:";
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  for (const name of entry.rule.requestHeaders.remove) delete headers[name.toLowerCase()];
  Object.assign(headers, entry.rule.requestHeaders.set);
  const protocols = request.headers
    .get("sec-websocket-protocol")
    ?.split(",")
    .map((protocol) => protocol.trim())
    .filter(Boolean);
  const socket = new WebSocket(target.href, { headers, protocols } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error("timeout"));
    }, entry.rule.timeout);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new Error("the upstream refused the WebSocket"));
    });
  });
}

/**
 * Connects `request` (to `pathname`, the path the rule matched) to the rule's upstream and
 * upgrades the connection on `server`. Resolves with `undefined` once upgraded (the fetch
 * handler then returns nothing), or with a coded 502/504.
 */
export async function relayUpgrade(
  entry: CompiledRule,
  request: Request,
  pathname: string,
  server: SocketServer,
): Promise<Response | undefined> {
  let upstream: WebSocket;
  try {
    upstream = await connect(entry, request, pathname);
  } catch (error) {
    const params = { rule: entry.rule.id, upstream: new URL(entry.rule.upstream).origin };
    const timedOut = error instanceof Error && error.message === "timeout";
    return timedOut
      ? new BuntimeError("BUNTIME_ERR_PROXY_UPSTREAM_TIMEOUT", {
          ...params,
          ms: entry.rule.timeout,
        }).getResponse()
      : new BuntimeError("BUNTIME_ERR_PROXY_UPSTREAM_UNREACHABLE", {
          ...params,
          reason: error instanceof Error ? error.message : String(error),
        }).getResponse();
  }
  const relay: Relay = { upstream, client: undefined, early: [], closed: undefined };
  upstream.addEventListener("message", (event) => {
    if (relay.client) relay.client.send(event.data);
    else relay.early.push(event.data);
  });
  upstream.addEventListener("close", (event) => {
    if (relay.client) relay.client.close(sendable(event.code), event.reason);
    else relay.closed = { code: event.code, reason: event.reason };
  });
  const data: RelayData = { proxyRelay: relay };
  const headers = upstream.protocol ? { "sec-websocket-protocol": upstream.protocol } : undefined;
  if (server.upgrade(request, { data, headers })) return undefined;
  upstream.close(1011, "the client's upgrade failed");
  return new BuntimeError("BUNTIME_ERR_PROXY_UPSTREAM_UNREACHABLE", {
    rule: entry.rule.id,
    upstream: new URL(entry.rule.upstream).origin,
    reason: "the client's upgrade failed",
  }).getResponse();
}

/** The `websocket` handler for `Bun.serve` that relays the sockets `relayUpgrade` opened. */
export const proxyWebSocketHandler: WebSocketHandler<RelayData> = {
  open(ws: ServerWebSocket<RelayData>) {
    const relay = ws.data.proxyRelay;
    relay.client = ws;
    for (const message of relay.early.splice(0)) ws.send(message);
    if (relay.closed) ws.close(sendable(relay.closed.code), relay.closed.reason);
  },
  message(ws, message) {
    ws.data.proxyRelay.upstream.send(message);
  },
  close(ws, code, reason) {
    const { upstream } = ws.data.proxyRelay;
    if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) {
      upstream.close(sendable(code), reason);
    }
  },
};
