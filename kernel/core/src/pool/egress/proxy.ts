/**
 * The kernel side of a sandboxed app's network: an HTTP/1.1 forward proxy on a Unix socket
 * that the sandbox gets bound in (its only way out of its own network namespace). Node's
 * `node:http` server does the parsing (Bun 1.4.5 supports its `connect` event, `clientError`
 * and `maxHeaderSize`); this module only adds the policy, the socket file's permissions and
 * the error answers.
 */
import { chmod, chown, lstat, rename, unlink } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "@buntime/sdk";
import { BuntimeError } from "@buntime/sdk";
import { refuseSocket } from "./denial.ts";
import { handleRequest } from "./forward.ts";
import { compilePolicy } from "./policy.ts";
import { type EgressLookup, systemLookup } from "./resolve.ts";
import { createRouter } from "./route.ts";
import { handleConnect } from "./tunnel.ts";

/** What one app may reach. */
export interface EgressPolicy {
  /** The app, e.g. `todo@1.2.0`, as messages and logs name it. */
  readonly app: string;
  /** Declared rules: `api.example.com`, `*.example.com` (subdomains only), `host:8443`; no port means 80 and 443. */
  readonly hosts: readonly string[];
  /** Rules the kernel adds for every app, e.g. its own `127.0.0.1:8000` so apps reach the kernel API. */
  readonly alwaysAllow?: readonly string[];
}

/** A running proxy. */
export interface EgressProxy {
  readonly socketPath: string;
  /**
   * Gives the socket file to a uid and gid, for when the sandbox's uid is known only after the
   * proxy started (see {@link EgressProxyOptions.owner}); call it before the app's first request.
   */
  chown(owner: { readonly uid: number; readonly gid: number }): Promise<void>;
  /** Stops accepting, closes open tunnels and requests, removes the socket file. */
  close(): Promise<void>;
}

/** Options of {@link startEgressProxy}. */
export interface EgressProxyOptions {
  /**
   * The socket file to create (a stale socket there is replaced, any other file refused). Its
   * folder must exist and should be private to the kernel.
   */
  readonly socketPath: string;
  readonly policy: EgressPolicy;
  readonly logger?: Logger;
  /** Name resolution, the system resolver by default (tests point names at 127.0.0.1 with it). */
  readonly lookup?: EgressLookup;
  /** Close a connection (tunnel, response, idle keep-alive) with no traffic either way for this long. @default 300_000 */
  readonly idleTimeoutMs?: number;
  /** Time for DNS, and for the TCP connect to each upstream address. @default 10_000 */
  readonly connectTimeoutMs?: number;
  /** Connections open at once (each tunnel also holds one upstream); more are closed at once. @default 256 */
  readonly maxConnections?: number;
  /** Largest request head (request line and headers) accepted; larger gets 400. @default 16_384 */
  readonly maxHeaderSize?: number;
  /** The socket file's mode. @default 0o600 */
  readonly mode?: number;
  /**
   * Give the socket file to the sandbox's uid and gid (the kernel must be root or hold
   * CAP_CHOWN). Needed when the sandbox runs as a uid of its own: connecting takes write
   * permission on the socket, which mode 0600 gives only its owner.
   */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

async function removeStaleSocket(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new BuntimeError("BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST", {
      details: `${path} exists and is not a socket; refusing to replace it`,
    });
  }
  await unlink(path);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * Starts the egress proxy for one app (or tenant group) on a fresh Unix socket. The socket
 * is created under a temporary name, given its mode (and owner), then renamed into place, so
 * nobody can connect to it before its permissions are set. A malformed rule in the policy
 * throws `BUNTIME_ERR_POOL_EGRESS_RULE_INVALID` before anything is created.
 *
 * @example
 * const proxy = await startEgressProxy({
 *   socketPath: "/run/buntime/apps/todo/egress.sock",
 *   policy: { app: "todo@1.2.0", hosts: ["api.example.com"], alwaysAllow: ["127.0.0.1:8000"] },
 * });
 * await proxy.close();
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const policy = compilePolicy(options.policy);
  const timings = {
    idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  };
  const router = createRouter({
    policy,
    lookup: options.lookup ?? systemLookup,
    lookupTimeoutMs: timings.connectTimeoutMs,
    logger: options.logger,
  });
  // A handler that fails unexpectedly closes its own connection; it must never become an
  // unhandled rejection, which would take the kernel down with it.
  const contain = (work: Promise<void>, socket: { destroy(): void }) =>
    work.catch((error: unknown) => {
      options.logger?.error("egress proxy handler failed", { app: policy.app, error: String(error) });
      socket.destroy();
    });
  const server = createServer({ maxHeaderSize: options.maxHeaderSize ?? 16_384 }, (req, res) => {
    void contain(handleRequest(req, res, router, timings), res);
  });
  // Every connection costs the kernel a file descriptor (two for a tunnel): an app may not
  // hold more than maxConnections, nor keep one open in silence.
  const maxConnections = options.maxConnections ?? 256;
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    if (sockets.size >= maxConnections) {
      options.logger?.warn("egress connection refused: too many open", { app: policy.app, maxConnections });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setTimeout(timings.idleTimeoutMs, () => socket.destroy());
  });
  server.on("connect", (req, socket, head) => {
    void contain(handleConnect(req, socket, head, router, timings), socket);
  });
  // Upgrade requests in absolute form (ws://) are refused: WebSockets go through CONNECT.
  server.on("upgrade", (_req, socket) => {
    refuseSocket(
      socket,
      new BuntimeError("BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST", {
        details: "use CONNECT for WebSocket connections",
      }),
    );
  });
  server.on("clientError", (error: Error & { code?: string }, socket) => {
    const details = error.code === "HPE_HEADER_OVERFLOW" ? "request head too large" : "malformed request";
    refuseSocket(socket, new BuntimeError("BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST", { details }));
  });
  await removeStaleSocket(options.socketPath);
  const staging = `${options.socketPath}.${process.pid}.tmp`;
  await removeStaleSocket(staging);
  await listen(server, staging);
  try {
    await chmod(staging, options.mode ?? 0o600);
    if (options.owner) await chown(staging, options.owner.uid, options.owner.gid);
    await rename(staging, options.socketPath);
  } catch (error) {
    server.close();
    await unlink(staging).catch(() => undefined);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    chown: (owner) => chown(options.socketPath, owner.uid, owner.gid),
    close() {
      closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await stopped;
        await unlink(options.socketPath).catch(() => undefined);
      })();
      return closed;
    },
  };
}
