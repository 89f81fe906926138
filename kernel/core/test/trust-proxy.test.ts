/**
 * `trustProxy`: the client's address behind nginx or HAProxy. Never believed by default; when
 * set, the kernel walks back from the connection through the forwarding header, one trusted
 * proxy at a time, so entries a client wrote itself are never read.
 */
import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type KernelConfigOptions, loadConfig } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";
import { inlinePlugin, startTestKernel, tempDir } from "./support/kernel-fixture.ts";

type TrustProxyOptions = NonNullable<KernelConfigOptions["trustProxy"]>;

/** A kernel on 127.0.0.1 whose `/ip` answers what `ctx.clientAddress()` and `kernel:clients` say. */
async function startBehind(trustProxy?: TrustProxyOptions) {
  const { kernel } = await startTestKernel({
    config: trustProxy ? { trustProxy } : {},
    plugins: [
      inlinePlugin(
        "ip",
        { base: "/ip", consumes: ["kernel:clients"] },
        definePlugin({
          setup(ctx) {
            const clients = ctx.services.get("kernel:clients");
            return {
              fetch: (request, context) => {
                const [fromContext, fromService] = [context.clientAddress(), clients.address(request)];
                if (fromContext !== fromService) throw new Error(`${fromContext} != ${fromService}`);
                return new Response(fromContext ?? "unknown");
              },
            };
          },
        }),
      ),
    ],
  });
  const url = await kernel.listen();
  return (headers: Record<string, string>) =>
    fetch(new URL("/ip", url), { headers }).then((response) => response.text());
}

const SPOOFED = {
  "x-forwarded-for": "203.0.113.9",
  "x-real-ip": "203.0.113.9",
  forwarded: "for=203.0.113.9",
};

describe("the client's address", () => {
  it("is the connection's by default, whatever forwarding headers say", async () => {
    const ask = await startBehind();
    expect(await ask(SPOOFED)).toBe("127.0.0.1");
  });

  it("is read from the header only when the connection comes from a trusted proxy", async () => {
    const ask = await startBehind({ proxies: ["10.0.0.0/8"] });
    expect(await ask(SPOOFED)).toBe("127.0.0.1"); // 127.0.0.1 is no proxy of ours
  });

  // Each row: trustProxy, the headers the last proxy sent, the client the kernel must see.
  const rows: [string, TrustProxyOptions, Record<string, string>, string][] = [
    [
      "the address the trusted proxy appended, not what the client wrote left of it",
      { proxies: ["127.0.0.1"] },
      { "x-forwarded-for": "198.51.100.66, 203.0.113.9" },
      "203.0.113.9",
    ],
    [
      "past a chain of trusted proxies (addresses and ranges), to the first that is not one",
      { proxies: ["127.0.0.1", "10.0.0.0/8"] },
      { "x-forwarded-for": "198.51.100.66, 203.0.113.9, 10.1.2.3, 10.9.9.9" },
      "203.0.113.9",
    ],
    [
      "the hop that `hops` counts back, ignoring spoofed entries beyond it",
      { hops: 2 },
      { "x-forwarded-for": "198.51.100.66, 203.0.113.9, 192.0.2.1" },
      "203.0.113.9",
    ],
    [
      "the farthest address named when every hop is trusted",
      { hops: 3 },
      { "x-forwarded-for": "203.0.113.9" },
      "203.0.113.9",
    ],
    [
      "x-real-ip when that is the header, never x-forwarded-for",
      { header: "x-real-ip", proxies: ["127.0.0.1"] },
      { "x-real-ip": "203.0.113.9", "x-forwarded-for": "198.51.100.66" },
      "203.0.113.9",
    ],
    [
      "RFC 7239 Forwarded, with a quoted IPv6 address and port",
      { header: "forwarded", proxies: ["127.0.0.1"] },
      { forwarded: 'for=198.51.100.66;proto=https, for="[2001:db8::1]:4711";by=10.0.0.1' },
      "2001:db8::1",
    ],
    [
      "the proxy's own address when it names no client (`unknown`)",
      { proxies: ["127.0.0.1"] },
      { "x-forwarded-for": "198.51.100.66, unknown" },
      "127.0.0.1",
    ],
    ["the proxy's own address when it sent no header", { proxies: ["127.0.0.1"] }, {}, "127.0.0.1"],
  ];
  for (const [name, trustProxy, headers, client] of rows) {
    it(`behind a proxy is ${name}`, async () => {
      const ask = await startBehind(trustProxy);
      expect(await ask(headers)).toBe(client);
    });
  }
});

describe("apps behind a trusted proxy", () => {
  it("that ask for the client's address see the client the proxy named first in x-forwarded-for, and never what the client wrote", async () => {
    const home = tempDir();
    mkdirSync(join(home, "apps", "echo"), { recursive: true });
    writeFileSync(
      join(home, "apps", "echo", "index.ts"),
      "export default { fetch: (request) => new Response(request.headers.get('x-forwarded-for')) };",
    );
    writeFileSync(join(home, "apps", "echo", "buntime.json"), JSON.stringify({ clientAddress: true }));
    const { kernel } = await startTestKernel({
      config: { home, trustProxy: { proxies: ["127.0.0.1"] } },
      plugins: [join(import.meta.dir, "..", "..", "..", "plugins", "router")],
    });
    const url = await kernel.listen();
    const response = await fetch(new URL("/echo/", url), {
      headers: { "x-forwarded-for": "198.51.100.66, 203.0.113.9" },
    });
    expect(await response.text()).toBe("203.0.113.9");
  }, 20_000);
});

describe("trustProxy settings", () => {
  const refused: [unknown, string][] = [
    [
      { proxies: ["10.0.0.0/33"] },
      'trustProxy.proxies[0]: expected an IP address or a CIDR range, such as "10.0.0.0/8"',
    ],
    [
      { proxies: ["nginx"] },
      'trustProxy.proxies[0]: expected an IP address or a CIDR range, such as "10.0.0.0/8"',
    ],
    [{}, "trustProxy: give either proxies (the addresses of your proxies) or hops (how many there are)"],
    [{ hops: 1, proxies: ["127.0.0.1"] }, "trustProxy: give either proxies"],
    [{ hops: 1, header: "x-client-ip" }, "trustProxy.header"],
  ];
  for (const [trustProxy, message] of refused) {
    it(`refuse ${JSON.stringify(trustProxy)} at start, naming the setting`, () => {
      expect(() => loadConfig({ overrides: { trustProxy } as never, env: {}, cwd: "/nonexistent" })).toThrow(
        message,
      );
    });
  }

  it("come from BUNTIME_TRUST_PROXY as a hop count or a list of proxies", () => {
    const env = (value: string) => loadConfig({ env: { BUNTIME_TRUST_PROXY: value }, cwd: "/nonexistent" });
    expect(env("1").trustProxy).toEqual({ header: "x-forwarded-for", hops: 1 });
    expect(env("127.0.0.1, 10.0.0.0/8").trustProxy).toEqual({
      header: "x-forwarded-for",
      proxies: ["127.0.0.1", "10.0.0.0/8"],
    });
    expect(() => env("10.0.0.0/99")).toThrow("env BUNTIME_TRUST_PROXY");
    expect(loadConfig({ env: {}, cwd: "/nonexistent" }).trustProxy).toBeUndefined();
  });
});
