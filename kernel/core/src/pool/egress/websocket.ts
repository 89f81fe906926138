/**
 * WebSockets inside the sandbox. Bun's `WebSocket` ignores HTTP_PROXY/HTTPS_PROXY (checked on
 * Bun 1.4.5) but takes a `proxy` option, which it uses through CONNECT for ws:// and wss://
 * alike; this patch passes that option on every connection the app opens.
 */

type WebSocketArgs = ConstructorParameters<typeof WebSocket>;

/**
 * Replaces `WebSocket` with a subclass that always connects through `proxyUrl` (the egress
 * forwarder). A refusal surfaces as Bun's "Proxy connection failed: 403 Forbidden": a WebSocket
 * error event carries no headers, so the proxy's reason cannot be passed on here.
 */
export function proxyWebSockets(
  proxyUrl: string,
  target: { WebSocket: typeof WebSocket } = globalThis,
): void {
  const Original = target.WebSocket;
  if ((Original as { viaEgressProxy?: boolean }).viaEgressProxy) return;
  class EgressWebSocket extends Original {
    static readonly viaEgressProxy = true;
    constructor(...[url, options]: WebSocketArgs) {
      const given =
        typeof options === "string" || Array.isArray(options) ? { protocols: options } : (options ?? {});
      super(url, { ...given, proxy: proxyUrl } as unknown as WebSocketArgs[1]);
    }
  }
  target.WebSocket = EgressWebSocket;
}
