import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "@buntime/kernel";
import { cleanUp, errorOf, onCleanUp, proxyPlugin, startProxy, within } from "./support.ts";

afterEach(cleanUp);

/** A WebSocket upstream: greets, echoes, closes on request, and reports how clients left. */
function startSocketUpstream() {
  let reportClose: (close: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    reportClose = resolve;
  });
  const server = Bun.serve<{ path: string; cookie: string | null }>({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request, server) {
      const data = { path: new URL(request.url).pathname, cookie: request.headers.get("cookie") };
      return server.upgrade(request, { data }) ? undefined : new Response("upgrade only", { status: 426 });
    },
    websocket: {
      open(ws) {
        ws.send(`hello ${ws.data.path} ${ws.data.cookie}`);
      },
      message(ws, message) {
        if (message === "close please") ws.close(4002, "done");
        else ws.send(typeof message === "string" ? `echo: ${message}` : message);
      },
      close(_ws, code, reason) {
        reportClose({ code, reason });
      },
    },
  });
  onCleanUp(() => server.stop(true));
  return { url: server.url.href.replace(/\/$/, ""), closed };
}

/** A listening kernel with one rule `/ws/*`; resolves with its `ws:` URL. */
async function frontedKernel(upstream: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), "proxy-ws-"));
  onCleanUp(() => rmSync(home, { recursive: true, force: true }));
  const kernel = createKernel({
    config: {
      home,
      port: 0,
      hostname: "127.0.0.1",
      plugins: {
        "@buntime/plugin-proxy": { rules: [{ id: "sockets", path: "/ws/*", upstream, stripPrefix: true }] },
      },
    },
    plugins: [proxyPlugin],
    logSink: () => {},
  });
  onCleanUp(() => kernel.stop());
  await kernel.start();
  const url = await kernel.listen();
  return url.href.replace(/^http/, "ws").replace(/\/$/, "");
}

/** Opens a client socket and collects what it receives. */
async function connect(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  const inbox: (string | ArrayBuffer)[] = [];
  const waiters: (() => void)[] = [];
  socket.addEventListener("message", (event) => {
    inbox.push(event.data);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<CloseEvent>((resolve) => socket.addEventListener("close", resolve));
  await within(
    new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve);
      socket.addEventListener("error", reject);
    }),
    "the socket to open",
  );
  onCleanUp(() => socket.close());
  const next = async () => {
    while (inbox.length === 0) await within(new Promise<void>((wake) => waiters.push(wake)), "a message");
    return inbox.shift() as string | ArrayBuffer;
  };
  return { socket, next, closed };
}

describe("WebSockets through the proxy", () => {
  it("relay messages both ways, text and binary, with the handshake's cookie", async () => {
    const upstream = startSocketUpstream();
    const front = await frontedKernel(upstream.url);
    const client = await connect(`${front}/ws/chat`, { cookie: "session=abc" });
    expect(await client.next()).toBe("hello /chat session=abc");
    client.socket.send("ping");
    expect(await client.next()).toBe("echo: ping");
    client.socket.send(new Uint8Array([1, 2, 3]));
    expect([...new Uint8Array((await client.next()) as ArrayBuffer)]).toEqual([1, 2, 3]);
    client.socket.close(4001, "bye");
    expect(await within(upstream.closed, "the upstream to see the close")).toEqual({
      code: 4001,
      reason: "bye",
    });
  });

  it("close the client's socket with the upstream's code when the upstream closes", async () => {
    const upstream = startSocketUpstream();
    const front = await frontedKernel(upstream.url);
    const client = await connect(`${front}/ws/room`);
    expect(await client.next()).toBe("hello /room null");
    client.socket.send("close please");
    const close = await within(client.closed, "the client's close");
    expect(close.code).toBe(4002);
    expect(close.reason).toBe("done");
  });

  it("answer an upgrade with a coded 502 when the upstream is down", async () => {
    const front = await frontedKernel("http://127.0.0.1:9");
    const response = await fetch(`${front.replace(/^ws/, "http")}/ws/chat`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
        "sec-websocket-version": "13",
      },
    });
    expect(response.status).toBe(502);
    const error = await errorOf(response);
    expect(error.code).toBe("BUNTIME_ERR_PROXY_UPSTREAM_UNREACHABLE");
    expect(error.message).toStartWith("proxy rule sockets: upstream http://127.0.0.1:9 is unreachable");
  });

  it("answer 501 with a clear reason when the kernel does not listen", async () => {
    const kernel = await startProxy({
      rules: [{ id: "sockets", path: "/ws/*", upstream: "http://127.0.0.1:9" }],
    });
    const response = await kernel.fetch("/ws/chat", {
      headers: { upgrade: "websocket", connection: "Upgrade" },
    });
    expect(response.status).toBe(501);
    expect(await errorOf(response)).toEqual({
      code: "BUNTIME_ERR_PROXY_WEBSOCKET_UNAVAILABLE",
      message:
        "proxy rule sockets takes WebSockets, but this kernel does not listen (requests made in process cannot be upgraded)",
    });
  });
});
