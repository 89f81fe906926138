/**
 * The sandbox side of egress, run inside the sandboxed child before the app's module is
 * imported. The child's network namespace has only loopback; this listener on 127.0.0.1
 * pipes each connection, unread, to the Unix socket bound in from the kernel, where the
 * egress proxy decides. Bun's fetch reads HTTP_PROXY/HTTPS_PROXY from `process.env` at each
 * call (checked on Bun 1.4.5), so setting them here, before the app runs, is enough.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

/** A running forwarder. */
export interface EgressForwarder {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY and HTTPS_PROXY. */
  readonly proxyUrl: string;
  /** Stops listening and closes the connections still open. */
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * Listens on 127.0.0.1 (`options.port`, or a free port) and pipes each connection to the
 * kernel's egress proxy at `socketPath`. It holds no policy: everything is decided kernel-side.
 *
 * @example
 * const { proxyUrl } = await startEgressForwarder("/run/buntime/egress.sock");
 * applyProxyEnv(proxyUrl);
 * proxyWebSockets(proxyUrl);
 * explainEgressDenials();
 */
export async function startEgressForwarder(
  socketPath: string,
  options: { readonly port?: number } = {},
): Promise<EgressForwarder> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(socketPath);
    open.add(client);
    const close = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const side of [client, upstream]) {
      side.on("error", close);
      side.on("close", close);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    close() {
      // server.close() waits for open connections, and fetch keeps its connections alive.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of open) client.destroy();
      return stopped;
    },
  };
}

/** The variables that send fetch through the proxy; NO_PROXY is removed so nothing bypasses it. */
export function applyProxyEnv(proxyUrl: string, env: Record<string, string | undefined> = process.env): void {
  for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) env[name] = proxyUrl;
  for (const name of ["NO_PROXY", "no_proxy"]) delete env[name];
}
