import { describe, expect, it } from "bun:test";
import { existsSync, lstatSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { join } from "node:path";
import { isBuntimeError } from "@buntime/sdk";
import { onCleanup, tempDir } from "@buntime/test-kit/fixtures";
import { startEgressProxy } from "../../../src/pool/egress/index.ts";
import { raw, startTestProxy } from "./support.ts";

describe("the proxy's socket file", () => {
  it("is created with mode 0600 and removed on close", async () => {
    const dir = tempDir("buntime-egress-");
    const socketPath = join(dir, "egress.sock");
    const proxy = await startEgressProxy({ socketPath, policy: { app: "todo@1.2.0", hosts: [] } });
    expect(lstatSync(socketPath).isSocket()).toBe(true);
    expect(lstatSync(socketPath).mode & 0o777).toBe(0o600);
    await proxy.close();
    expect(existsSync(socketPath)).toBe(false);
  });

  it("replaces a stale socket but refuses to replace anything else", async () => {
    const { socketPath } = await startTestProxy({ hosts: [] });
    const again = await startEgressProxy({ socketPath, policy: { app: "todo@1.2.0", hosts: [] } });
    onCleanup(() => again.close());
    expect(await raw(socketPath, "CONNECT evil.test:443 HTTP/1.1\r\n\r\n")).toStartWith("HTTP/1.1 403");
    const file = join(tempDir("buntime-egress-"), "egress.sock");
    writeFileSync(file, "keep me");
    const refused = await startEgressProxy({ socketPath: file, policy: { app: "a", hosts: [] } }).catch(
      (e) => e,
    );
    expect(isBuntimeError(refused, "BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST")).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });
});

describe("rules are checked before anything starts", () => {
  it.each([
    ["http://api.example.com", "is not host:port"],
    ["*", "is not a valid DNS name"],
    ["*.com", "a wildcard must name a domain of two labels or more"],
    ["*.10.0.0.1", "a wildcard needs a domain name, not an IP address"],
    ["api.example.com:0", "port 0 is out of range"],
    ["api.example.com:70000", "port 70000 is out of range"],
    ["api example.com", "is not host:port"],
    ["user@api.example.com", "is not host:port"],
    ["", "expected a host such as api.example.com"],
  ])("refuses %p naming it", async (rule, details) => {
    const socketPath = join(tempDir("buntime-egress-"), "egress.sock");
    const error = await startEgressProxy({ socketPath, policy: { app: "todo@1.2.0", hosts: [rule] } }).catch(
      (e) => e,
    );
    expect(isBuntimeError(error, "BUNTIME_ERR_POOL_EGRESS_RULE_INVALID")).toBe(true);
    expect(error.message).toStartWith(`app todo@1.2.0: network permission "${rule}" is invalid: `);
    expect(error.message).toContain(details);
    expect(existsSync(socketPath)).toBe(false);
  });

  it("reads rules and targets alike: case, a trailing dot and IDN spellings match", async () => {
    const { socketPath } = await startTestProxy({ hosts: ["API.Test:9", "bücher.example:9"] });
    for (const target of ["api.test.:9", "api.TEST:9", "xn--bcher-kva.example:9"]) {
      const answer = await raw(socketPath, `CONNECT ${target} HTTP/1.1\r\n\r\n`);
      expect([target, answer.includes("EGRESS_DENIED")]).toEqual([target, false]);
    }
  });
});

describe("tunnels end", () => {
  async function silentUpstream(): Promise<number> {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onCleanup(() => new Promise((resolve) => server.close(resolve)));
    return (server.address() as AddressInfo).port;
  }

  it("closes a tunnel idle in both directions after idleTimeoutMs", async () => {
    const port = await silentUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`127.0.0.1:${port}`] }, { idleTimeoutMs: 200 });
    const started = Date.now();
    const answer = await raw(socketPath, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`, 3000);
    expect(answer).toBe("HTTP/1.1 200 Connection Established\r\n\r\n");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("holds at most maxConnections open; more are closed at once, without an answer", async () => {
    const port = await silentUpstream();
    const { socketPath, logs } = await startTestProxy(
      { hosts: [`127.0.0.1:${port}`] },
      { maxConnections: 2 },
    );
    const open = [connect(socketPath), connect(socketPath)];
    for (const socket of open) {
      onCleanup(() => socket.destroy());
      socket.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
      await new Promise((resolve) => socket.once("data", resolve));
    }
    expect(await raw(socketPath, "CONNECT evil.test:443 HTTP/1.1\r\n\r\n")).toBe("");
    expect(logs.some((line) => line.startsWith("warn egress connection refused: too many open"))).toBe(true);
    open[0]?.destroy();
    await Bun.sleep(50);
    expect(await raw(socketPath, "CONNECT evil.test:443 HTTP/1.1\r\n\r\n")).toStartWith("HTTP/1.1 403");
  });

  it("closes a connection that never sends a request after idleTimeoutMs", async () => {
    const { socketPath } = await startTestProxy({ hosts: [] }, { idleTimeoutMs: 200 });
    const started = Date.now();
    expect(await raw(socketPath, "", 3000)).toBe("");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("closes open tunnels when the proxy closes", async () => {
    const port = await silentUpstream();
    const dir = tempDir("buntime-egress-");
    const socketPath = join(dir, "egress.sock");
    const proxy = await startEgressProxy({ socketPath, policy: { app: "a", hosts: [`127.0.0.1:${port}`] } });
    const socket = connect(socketPath);
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => {});
    socket.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
    await new Promise((resolve) => socket.once("data", resolve));
    await proxy.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
