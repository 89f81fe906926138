import { describe, expect, it } from "bun:test";
import { forwarderTo, raw, startTestProxy, startUpstream } from "./support.ts";

describe("the egress proxy lets an app reach what it declared, and nothing else", () => {
  it("forwards a plain-http request to a declared host, with the URI's host as Host", async () => {
    const { port } = startUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`api.test:${port}`, `127.0.0.1:${port}`] });
    const proxy = await forwarderTo(socketPath);
    const response = await fetch(`http://api.test:${port}/items?x=1`, {
      method: "POST",
      body: "hello",
      headers: { host: "evil.test" },
      proxy,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-upstream")).toBe("yes");
    expect(await response.text()).toBe(`POST /items?x=1 host=api.test:${port} body=hello`);
  });

  it("waits for a slow answer past connectTimeoutMs, and streams large bodies both ways", async () => {
    const { port } = startUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`127.0.0.1:${port}`] }, { connectTimeoutMs: 200 });
    const proxy = await forwarderTo(socketPath);
    const slow = await fetch(`http://127.0.0.1:${port}/slow`, { proxy });
    expect(await slow.text()).toBe(`GET /slow host=127.0.0.1:${port} body=`);
    const big = "x".repeat(2 * 1024 * 1024);
    const echoed = await fetch(`http://127.0.0.1:${port}/big`, { method: "PUT", body: big, proxy });
    expect((await echoed.text()).length).toBe(`PUT /big host=127.0.0.1:${port} body=`.length + big.length);
  });

  it("tunnels a CONNECT to a declared host", async () => {
    const { port } = startUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`api.test:${port}`, `127.0.0.1:${port}`] });
    const answer = await raw(
      socketPath,
      `CONNECT api.test:${port} HTTP/1.1\r\nHost: api.test:${port}\r\n\r\nGET /through HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toStartWith("HTTP/1.1 200 Connection Established\r\n\r\nHTTP/1.1 200");
    expect(answer).toContain("GET /through host=api.test body=");
  });

  it("refuses an undeclared host with 403 naming the permission to declare, in the body and a header", async () => {
    const { port } = startUpstream();
    const { socketPath, logs } = await startTestProxy({ hosts: [`api.test:${port}`, `127.0.0.1:${port}`] });
    const proxy = await forwarderTo(socketPath);
    const response = await fetch(`http://evil.test:${port}/`, { proxy });
    const message = `app todo@1.2.0 may not reach evil.test:${port}: declare it in permissions.network (e.g. "evil.test:${port}")`;
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "BUNTIME_ERR_POOL_EGRESS_DENIED", message } });
    expect(response.headers.get("x-buntime-error")).toBe(`BUNTIME_ERR_POOL_EGRESS_DENIED: ${message}`);
    const connect = await raw(socketPath, "CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test:443\r\n\r\n");
    expect(connect).toStartWith("HTTP/1.1 403 Forbidden\r\n");
    expect(connect).toContain(
      'X-Buntime-Error: BUNTIME_ERR_POOL_EGRESS_DENIED: app todo@1.2.0 may not reach evil.test:443: declare it in permissions.network (e.g. "evil.test")',
    );
    expect(logs.some((line) => line.startsWith("warn egress denied") && line.includes("evil.test:443"))).toBe(
      true,
    );
  });

  it("allows a declared host only on its ports: 80 and 443 without a port, else the one declared", async () => {
    const { socketPath } = await startTestProxy({ hosts: ["api.test", "other.test:8443"] });
    for (const [target, allowed] of [
      ["api.test:443", true],
      ["api.test:80", true],
      ["api.test:8080", false],
      ["other.test:8443", true],
      ["other.test:443", false],
    ] as const) {
      const answer = await raw(socketPath, `CONNECT ${target} HTTP/1.1\r\n\r\n`);
      // Allowed targets get past the policy and then fail on the address (127.0.0.1 is not public).
      expect([target, answer.includes("BUNTIME_ERR_POOL_EGRESS_DENIED")]).toEqual([target, !allowed]);
    }
  });

  it("matches a wildcard against subdomains at any depth, never the domain itself", async () => {
    const { port } = startUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`*.api.test:${port}`, `127.0.0.1:${port}`] });
    const proxy = await forwarderTo(socketPath);
    expect((await fetch(`http://a.api.test:${port}/`, { proxy })).status).toBe(200);
    expect((await fetch(`http://deep.a.api.test:${port}/`, { proxy })).status).toBe(200);
    const apex = await fetch(`http://api.test:${port}/`, { proxy });
    expect(apex.status).toBe(403);
    expect(apex.headers.get("x-buntime-error")).toContain(
      `declare it in permissions.network (e.g. "api.test:${port}")`,
    );
  });

  it("lets always-allowed targets through without a declaration (the kernel's own API)", async () => {
    const { port } = startUpstream();
    const { socketPath } = await startTestProxy({ hosts: [], alwaysAllow: [`127.0.0.1:${port}`] });
    const proxy = await forwarderTo(socketPath);
    const response = await fetch(`http://127.0.0.1:${port}/_/api/health`, { proxy });
    expect(await response.text()).toBe(`GET /_/api/health host=127.0.0.1:${port} body=`);
    expect((await fetch(`http://127.0.0.1:${port + 1 === 65_536 ? 1 : port + 1}/`, { proxy })).status).toBe(
      403,
    );
  });
});

describe("addresses: an IP must be declared itself, and names lead only to public addresses", () => {
  it("refuses a declared name that resolves to a non-public address, naming the address to declare", async () => {
    const { port } = startUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`api.test:${port}`] });
    const proxy = await forwarderTo(socketPath);
    const response = await fetch(`http://api.test:${port}/`, { proxy });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-buntime-error")).toBe(
      `BUNTIME_ERR_POOL_EGRESS_ADDRESS_DENIED: app todo@1.2.0 may not reach api.test:${port} at 127.0.0.1 (not public): declare "127.0.0.1:${port}" in permissions.network`,
    );
  });

  it("does not let a declared name allow its IP, nor an IP in another spelling slip past", async () => {
    const { port } = startUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`api.test:${port}`, "127.0.0.2"] });
    for (const spelling of ["127.0.0.1", "2130706433", "0x7f.1", "127.1", "[::ffff:127.0.0.1]", "[::1]"]) {
      const answer = await raw(socketPath, `CONNECT ${spelling}:${port} HTTP/1.1\r\n\r\n`);
      expect([spelling, answer.split("\r\n")[0]]).toEqual([spelling, "HTTP/1.1 403 Forbidden"]);
    }
    // Each spelling is read as the address it means, so the message names the canonical one.
    const hex = await raw(socketPath, "CONNECT 0x7f.0.0.2:8080 HTTP/1.1\r\n\r\n");
    expect(hex).toContain(
      'may not reach 127.0.0.2:8080: declare it in permissions.network (e.g. "127.0.0.2:8080")',
    );
  });

  it("answers 502 naming the cause when a declared name does not resolve or the host does not answer", async () => {
    const { socketPath } = await startTestProxy({ hosts: ["nowhere.test", "127.0.0.1:1"] });
    const unknown = await raw(socketPath, "CONNECT nowhere.test:443 HTTP/1.1\r\n\r\n");
    expect(unknown).toStartWith("HTTP/1.1 502 Bad Gateway");
    expect(unknown).toContain("app todo@1.2.0 could not reach nowhere.test:443: ENOTFOUND");
    const refused = await raw(socketPath, "CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n");
    expect(refused).toStartWith("HTTP/1.1 502 Bad Gateway");
    expect(refused).toContain("could not reach 127.0.0.1:1: ECONNREFUSED");
  });
});
