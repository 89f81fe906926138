/**
 * The sandbox side of egress, run inside the sandboxed child before the app's module is
 * imported. The child's network namespace has only loopback; this listener on 127.0.0.1
 * pipes each connection, unread, to the Unix socket bound in from the kernel, where the
 * egress proxy decides. The proxy variables tell the app's HTTP clients to use it (see
 * {@link proxyEnv} for when each client reads them).
 */
import type { Socket } from "bun";

/** A running forwarder. */
export interface EgressForwarder {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY and HTTPS_PROXY. */
  readonly proxyUrl: string;
  /** Stops listening and closes the connections still open. */
  close(): Promise<void>;
}

/**
 * One direction of a pipe: bytes written to `target`, and what it could not take yet. Bun's
 * native sockets are used rather than `node:net`, whose first load alone costs a sandbox about
 * 10 ms of its cold start; the price is this small queue, which `node:net`'s `pipe` would hold.
 */
class Outflow {
  private target: Socket<unknown> | undefined;
  private readonly queue: Uint8Array[] = [];

  /** The other side is connected: send what waited. */
  attach(target: Socket<unknown>): void {
    this.target = target;
    this.drain();
  }

  write(bytes: Uint8Array): void {
    if (this.target === undefined || this.queue.length > 0) {
      this.queue.push(bytes);
      return;
    }
    const written = this.target.write(bytes);
    if (written < bytes.byteLength) this.queue.push(bytes.subarray(Math.max(0, written)));
  }

  /** The target can take more: send the queue in order until it pushes back. */
  drain(): void {
    const target = this.target;
    if (target === undefined) return;
    while (this.queue.length > 0) {
      const bytes = this.queue[0] as Uint8Array;
      const written = target.write(bytes);
      if (written < bytes.byteLength) {
        this.queue[0] = bytes.subarray(Math.max(0, written));
        return;
      }
      this.queue.shift();
    }
  }
}

/** One forwarded connection: the app's side and the proxy's. */
interface Link {
  readonly toProxy: Outflow;
  readonly toApp: Outflow;
  upstream: Socket<unknown> | undefined;
  closed: boolean;
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
  const open = new Set<Socket<Link>>();
  const shut = (client: Socket<Link>) => {
    const link = client.data;
    if (link.closed) return;
    link.closed = true;
    open.delete(client);
    client.end();
    link.upstream?.end();
  };
  const server = Bun.listen<Link>({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    socket: {
      open(client) {
        const link: Link = {
          toProxy: new Outflow(),
          toApp: new Outflow(),
          upstream: undefined,
          closed: false,
        };
        client.data = link;
        link.toApp.attach(client as Socket<unknown>);
        open.add(client);
        Bun.connect({
          unix: socketPath,
          socket: {
            data: (_upstream, bytes) => link.toApp.write(bytes),
            drain: () => link.toProxy.drain(),
            close: () => shut(client),
            error: () => shut(client),
          },
        }).then(
          (upstream) => {
            link.upstream = upstream as Socket<unknown>;
            if (link.closed) upstream.end();
            else link.toProxy.attach(upstream as Socket<unknown>);
          },
          () => shut(client),
        );
      },
      data: (client, bytes) => client.data.toProxy.write(bytes),
      drain: (client) => client.data.toApp.drain(),
      close: (client) => shut(client),
      error: (client) => shut(client),
    },
  });
  return {
    proxyUrl: `http://127.0.0.1:${server.port}`,
    async close() {
      for (const client of open) shut(client);
      server.stop(true);
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
