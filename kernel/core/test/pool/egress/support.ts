/** Helpers for the egress tests: an upstream to reach, a proxy with test DNS, raw socket talk. */
import { connect } from "node:net";
import { join } from "node:path";
import { onCleanup, tempDir } from "@buntime/test-kit/fixtures";
import {
  type EgressPolicy,
  type EgressProxyOptions,
  startEgressForwarder,
  startEgressProxy,
} from "../../../src/pool/egress/index.ts";

/** Names the proxy's test resolver knows; all of them lead to 127.0.0.1, where upstreams listen. */
export const TEST_NAMES = ["api.test", "evil.test", "a.api.test", "deep.a.api.test", "other.test"];

/**
 * An upstream on 127.0.0.1 that answers `<method> <path> host=<host> body=<body>`, and on
 * `/ws` a WebSocket that echoes `echo <message>`; `/slow` answers after 400 ms.
 */
export function startUpstream(): { port: number } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    websocket: {
      message(socket, message) {
        socket.send(`echo ${message}`);
      },
    },
    async fetch(request, bun) {
      const url = new URL(request.url);
      if (url.pathname === "/ws" && bun.upgrade(request)) return undefined;
      if (url.pathname === "/slow") await Bun.sleep(400);
      const body = await request.text();
      const seen = `${request.method} ${url.pathname}${url.search} host=${request.headers.get("host")} body=${body}`;
      return new Response(seen, { headers: { "x-upstream": "yes" } });
    },
  });
  onCleanup(() => server.stop(true));
  return { port: server.port as number };
}

/** A proxy for `policy` on a socket in a fresh folder, with test DNS, stopped after the test. */
export async function startTestProxy(
  policy: Partial<EgressPolicy>,
  options: Partial<EgressProxyOptions> = {},
): Promise<{ socketPath: string; dir: string; logs: string[] }> {
  const dir = tempDir("buntime-egress-");
  const socketPath = join(dir, "egress.sock");
  const logs: string[] = [];
  const log = (level: string) => (message: string, fields?: object) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger = {
    namespace: "test",
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: () => logger,
  };
  const proxy = await startEgressProxy({
    socketPath,
    policy: { app: "todo@1.2.0", hosts: [], ...policy },
    logger,
    lookup: async (host) => {
      if (TEST_NAMES.includes(host)) return ["127.0.0.1"];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    },
    ...options,
  });
  onCleanup(() => proxy.close());
  return { socketPath, dir, logs };
}

/** A forwarder in this process to `socketPath`, for fetch's `proxy` option. */
export async function forwarderTo(socketPath: string): Promise<string> {
  const forwarder = await startEgressForwarder(socketPath);
  onCleanup(() => forwarder.close());
  return forwarder.proxyUrl;
}

/** Writes `data` to the proxy's socket and collects what comes back until it closes (2 s at most). */
export function raw(socketPath: string, data: string | Buffer, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("close", done);
    socket.on("error", done);
    socket.write(data);
  });
}
