/**
 * CONNECT (the way HTTPS and WebSockets over TLS go through a proxy): after the route is
 * allowed, the proxy connects to the checked address and pipes bytes both ways. TLS stays
 * end to end between the app and the upstream; the proxy sees only the host and port.
 */
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { BuntimeError } from "@buntime/sdk";
import { asEgressError, refuseSocket } from "./denial.ts";
import type { Router } from "./route.ts";
import { parseAuthority } from "./target.ts";

/** Timings shared by both proxy paths. */
export interface EgressTimings {
  /** A connection with no bytes either way for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Time to open the TCP connection to one upstream address. */
  readonly connectTimeoutMs: number;
}

/** Connects to the first address that answers, trying each in turn (a bounded list). */
export async function connectFirst(
  addresses: readonly string[],
  port: number,
  timeoutMs: number,
): Promise<Socket> {
  let last: unknown;
  for (const address of addresses) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: address, port });
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        socket.once("error", reject);
        socket.once("connect", () => {
          socket.off("error", reject);
          socket.setTimeout(0);
          resolve(socket);
        });
      });
    } catch (error) {
      last = error;
    }
  }
  throw last ?? new Error("no address to connect to");
}

/**
 * Pipes both ways and closes both ends when either ends or fails. Idle tunnels are closed by
 * the client socket's timeout, set when it connected: Bun restarts a socket's timeout on
 * writes as well as reads (checked on 1.4.5), so it measures silence in both directions.
 */
export function splice(client: Duplex, upstream: Socket): void {
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const side of [client, upstream]) {
    side.on("error", close);
    side.on("close", close);
  }
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Handles one CONNECT: refuse with the reason, or tunnel to the allowed target. */
export async function handleConnect(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  router: Router,
  timings: EgressTimings,
): Promise<void> {
  client.on("error", () => client.destroy());
  const target = parseAuthority(req.url ?? "");
  if ("problem" in target) {
    refuseSocket(
      client,
      new BuntimeError("BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST", { details: `CONNECT ${target.problem}` }),
    );
    return;
  }
  let upstream: Socket;
  try {
    const addresses = await router.addresses(target);
    upstream = await connectFirst(addresses, target.port, timings.connectTimeoutMs).catch((error) => {
      throw router.unreachable(target, error);
    });
  } catch (error) {
    refuseSocket(client, asEgressError(error));
    return;
  }
  if (client.destroyed) {
    upstream.destroy();
    return;
  }
  client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
  if (head.length > 0) upstream.write(head);
  splice(client, upstream);
}
