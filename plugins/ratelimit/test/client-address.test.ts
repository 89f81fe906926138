/**
 * Rules keyed by `ip` count the kernel's client address (`ctx.clientAddress()`): the
 * connection's, or the client a proxy named by the kernel's `trustProxy` names. A forwarding
 * header from anyone else changes nothing, and the old `ipHeader`, which believed it from
 * anyone, is refused at start.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import ratelimit from "@buntime/plugin-ratelimit";
import { definePlugin } from "@buntime/sdk";
import ratelimitPackage from "../package.json" with { type: "json" };

const plugins: TestPlugin[] = [
  { packageJson: ratelimitPackage, plugin: ratelimit },
  {
    packageJson: { name: "echo", version: "1.0.0", buntime: { kernel: "*", base: "/api" } },
    plugin: definePlugin({ setup: () => ({ fetch: () => new Response("ok") }) }),
  },
];

const RULES = { rules: [{ name: "api", path: "/api/*", key: "ip", limit: 3, window: "1m" }] };

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

/** A kernel listening on 127.0.0.1 with one `ip` rule of 3 a minute, and `kernel` settings. */
async function start(kernel: Record<string, unknown> = {}, settings: Record<string, unknown> = RULES) {
  const started = await createTestKernel({
    plugins,
    config: { ...kernel, plugins: { "@buntime/plugin-ratelimit": settings } },
    listen: true,
  });
  kernels.push(started);
  return started;
}

/** What the counter said of a request sent over HTTP with `headers`: its status and what is left. */
async function send(kernel: TestKernel, headers: Record<string, string> = {}) {
  const response = await fetch(new URL("/api/x", kernel.url), { headers });
  return `${response.status} ${response.headers.get("ratelimit-remaining")}`;
}

/** Headers a client writes to pass for someone else. */
const spoofed = (address: string) => ({
  "x-forwarded-for": address,
  "x-real-ip": address,
  forwarded: `for=${address}`,
});

describe("rules keyed by ip", () => {
  it("count the connection's address by default, and requests made in process apart", async () => {
    const kernel = await start();
    expect([await send(kernel), await send(kernel)]).toEqual(["200 2", "200 1"]);
    // a request made in process has no address: it counts apart from 127.0.0.1
    expect((await kernel.fetch("/api/x")).headers.get("ratelimit-remaining")).toBe("2");
    expect(await send(kernel)).toBe("200 0");
    expect(await send(kernel)).toBe("429 0");
  });

  it("leave the counter of a client the kernel does not trust where it is, whatever it forwards", async () => {
    // no trustProxy; and a trustProxy whose proxies do not include 127.0.0.1
    for (const trust of [{}, { trustProxy: { proxies: ["10.0.0.0/8"] } }]) {
      const kernel = await start(trust);
      const seen = [];
      for (const address of ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"])
        seen.push(await send(kernel, spoofed(address)));
      expect(seen).toEqual(["200 2", "200 1", "200 0", "429 0"]);
      expect(await send(kernel)).toBe("429 0"); // the same counter: 127.0.0.1's
    }
  });

  it("count the client a trusted proxy names, not the entries the client wrote left of it", async () => {
    const kernel = await start({ trustProxy: { proxies: ["127.0.0.1"] } });
    // nginx on 127.0.0.1 appends the address it saw to what the client sent
    const via = (written: string, client: string) => ({ "x-forwarded-for": `${written}, ${client}` });
    const seen = [];
    for (const written of ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"])
      seen.push(await send(kernel, via(written, "203.0.113.9")));
    expect(seen).toEqual(["200 2", "200 1", "200 0", "429 0"]);
    // another client behind the proxy has a counter of its own, and so has the proxy itself
    expect(await send(kernel, via("203.0.113.9", "203.0.113.10"))).toBe("200 2");
    expect(await send(kernel)).toBe("200 2");
  });

  it("follow the header trustProxy names: x-real-ip from a trusted proxy, not x-forwarded-for", async () => {
    const kernel = await start({ trustProxy: { header: "x-real-ip", proxies: ["127.0.0.1"] } });
    const seen = [];
    for (const address of ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
      seen.push(await send(kernel, { "x-real-ip": "203.0.113.9", "x-forwarded-for": address }));
    expect(seen).toEqual(["200 2", "200 1", "200 0"]);
    expect(await send(kernel, { "x-real-ip": "203.0.113.10" })).toBe("200 2");
  });
});

describe("the old ipHeader setting", () => {
  it("is refused at start, pointing at the kernel's trustProxy, and no kernel runs", async () => {
    for (const ipHeader of ["x-forwarded-for", "x-real-ip", ""]) {
      const error = await start({}, { ...RULES, ipHeader }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toContain("ipHeader");
      expect(error?.message).toContain(
        "no longer read: set the kernel's trustProxy instead (docs/configuration.md#behind-a-proxy)",
      );
    }
    expect(kernels).toHaveLength(0);
  });
});
