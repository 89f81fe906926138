import { describe, expect, it } from "bun:test";
import { type AddressInfo, createServer } from "node:net";
import { onCleanup } from "@buntime/test-kit/fixtures";
import { raw, startTestProxy } from "./support.ts";

/** A TCP server on 127.0.0.1 that answers every connection with `reply` and closes. */
async function upstreamReplying(reply: string): Promise<number> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

describe("the egress proxy survives a hostile upstream", () => {
  it.each([
    ["a status code out of range", "HTTP/1.1 099 Weird\r\nContent-Length: 0\r\n\r\n"],
    ["not HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n"],
    ["a header without a colon", "HTTP/1.1 200 OK\r\nBroken header\r\n\r\n"],
    ["a truncated head", "HTTP/1.1 200 OK\r\nContent-"],
  ])("answers 502 and keeps serving when the upstream sends %s", async (_name, reply) => {
    const port = await upstreamReplying(reply);
    const { socketPath } = await startTestProxy({ hosts: [`127.0.0.1:${port}`] });
    const answer = await raw(socketPath, `GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answer).toStartWith("HTTP/1.1 502 Bad Gateway\r\n");
    expect(answer).toContain(
      `BUNTIME_ERR_POOL_EGRESS_UNREACHABLE: app todo@1.2.0 could not reach 127.0.0.1:${port}: `,
    );
    const after = await raw(socketPath, "CONNECT evil.test:443 HTTP/1.1\r\n\r\n");
    expect(after).toStartWith("HTTP/1.1 403");
  });
});
