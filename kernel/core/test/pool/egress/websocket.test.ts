import { describe, expect, it } from "bun:test";
import { proxyWebSockets } from "../../../src/pool/egress/index.ts";
import { forwarderTo, startTestProxy, startUpstream } from "./support.ts";
import { webSocketEcho } from "./ws-echo.ts";

describe("proxyWebSockets", () => {
  async function proxied(hosts: string[]): Promise<typeof WebSocket> {
    const { socketPath } = await startTestProxy({ hosts });
    const proxy = await forwarderTo(socketPath);
    const target = { WebSocket };
    proxyWebSockets(proxy, target);
    proxyWebSockets(proxy, target);
    return target.WebSocket;
  }

  it("sends a WebSocket to a declared host through the egress proxy, keeping its subprotocols", async () => {
    const { port } = startUpstream();
    const Socket = await proxied([`127.0.0.1:${port}`]);
    expect(await webSocketEcho(Socket, `ws://127.0.0.1:${port}/ws`)).toBe("echo hi");
    const chat = new Socket(`ws://127.0.0.1:${port}/ws`, ["chat"]);
    const protocol = await new Promise((resolve) => {
      chat.onopen = () => resolve(chat.protocol);
      chat.onerror = () => resolve("error");
    });
    chat.close();
    expect(protocol).toBe("chat");
  });

  it("fails a WebSocket to an undeclared host (Bun gives only the status, no reason)", async () => {
    const { port } = startUpstream();
    const Socket = await proxied([]);
    expect(await webSocketEcho(Socket, `ws://127.0.0.1:${port}/ws`)).toContain("403 Forbidden");
  });
});
