/**
 * The sandbox side of egress, run inside the sandboxed child before the app's module is
 * imported. The child's network namespace has only loopback; this listener on 127.0.0.1
 * pipes each connection, unread, to the Unix socket bound in from the kernel, where the
 * egress proxy decides. The proxy variables tell the app's HTTP clients to use it (see
 * {@link proxyEnv} for when each client reads them).
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

/**
 * The forwarder's port inside a sandbox. A sandbox has a network namespace of its own, so the
 * port is always free, and being fixed it lets the launcher put {@link proxyEnv} in the child's
 * environment from its start, which `node:http(s)` needs.
 */
export const SANDBOX_PROXY_PORT = 3128;

/**
 * The variables that send fetch, `node:http` and `node:https` through `proxyUrl`. Bun's fetch
 * reads HTTP_PROXY/HTTPS_PROXY at each call; `node:http(s)` follow them only with
 * NODE_USE_ENV_PROXY=1 and read them when the module is first loaded (both checked on Bun
 * 1.4.5), so pass these in the sandboxed child's environment when spawning it.
 *
 * @example
 * spawn(argv, { env: { ...appEnv, ...proxyEnv(`http://127.0.0.1:${SANDBOX_PROXY_PORT}`) } });
 */
export function proxyEnv(proxyUrl: string): Record<string, string> {
  return {
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    NODE_USE_ENV_PROXY: "1",
  };
}

/**
 * Sets {@link proxyEnv} in `env` (the process's by default) and removes NO_PROXY, so nothing
 * bypasses the proxy. Enough for fetch at any time; for `node:http(s)` only if they were not
 * loaded yet, which is why the launcher should pass the variables at spawn as well.
 */
export function applyProxyEnv(proxyUrl: string, env: Record<string, string | undefined> = process.env): void {
  Object.assign(env, proxyEnv(proxyUrl));
  for (const name of ["NO_PROXY", "no_proxy"]) delete env[name];
}
