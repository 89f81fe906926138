import { afterAll, describe, expect, it } from "bun:test";
import type { AppSpec, IsolationTier, WorkerEvent } from "@buntime/sdk";
import { poolWebSocketHandler, type WorkerPoolOptions } from "../../src/pool/index.ts";
import { call, eventually, fixture, TIERS, testPool } from "./helpers.ts";

/** A pool with `isolation` behind a WebSocket-capable server, and a client for it. */
function wsKernel(isolation: WorkerPoolOptions["isolation"]) {
  const ended: WorkerEvent[] = [];
  const pool = testPool({ isolation, onWorkerTerminate: (event) => ended.push(event) });
  const specs: Record<string, AppSpec> = {
    "ws-echo": fixture("ws-echo"),
    "ws-idle": fixture("ws-echo", { name: "ws-idle", idleTimeout: 100 }),
    "ws-crash": fixture("ws-echo", { name: "ws-crash" }),
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request, bun) {
      const name = new URL(request.url).pathname.split("/")[1] ?? "";
      const spec = specs[name] ?? fixture(name);
      if (request.headers.get("upgrade") === "websocket")
        return (await pool.upgrade(spec, request, bun)) as Response;
      return pool.fetch(spec, request);
    },
    websocket: poolWebSocketHandler,
  });

  /** Opens a socket and collects what it receives. */
  async function connect(path: string) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
    ws.binaryType = "arraybuffer";
    const received: Array<string | ArrayBuffer> = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
    );
    ws.addEventListener("message", (event) => received.push(event.data as string | ArrayBuffer));
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve());
      ws.addEventListener("error", () => reject(new Error("websocket error")));
    });
    return { ws, received, closed };
  }

  async function counts(spec: AppSpec): Promise<{ opened: number; closed: number }> {
    return JSON.parse((await call(pool, spec)).text) as { opened: number; closed: number };
  }

  return { ended, pool, specs, server, connect, counts };
}

/** Where the WebSocket apps run: a thread, a sandbox each, or one sandbox shared by a tenant group. */
type Place = [where: string, tier: IsolationTier, isolation: WorkerPoolOptions["isolation"]];
const PLACES: Place[] = TIERS.flatMap((tier): Place[] =>
  tier === "thread"
    ? [["the thread tier", tier, { default: tier }]]
    : [
        ["the process tier", tier, { default: tier }],
        ["a tenant group's shared sandbox", tier, { groups: { chat: ["ws-echo", "ws-idle", "ws-crash"] } }],
      ],
);

// the same WebSocket contract everywhere: a thread relays through messages, a sandboxed process over IPC
describe.each(PLACES)("in %s", (_where, tier, isolation) => {
  const { ended, pool, specs, server, connect, counts } = wsKernel(isolation);
  afterAll(async () => {
    server.stop(true);
    await pool.shutdown();
  });

  describe("WebSockets to persistent workers", () => {
    it("relays text and binary messages both ways, and the app's close code", async () => {
      const client = await connect("/ws-echo/chat?name=ada");
      client.ws.send("hi");
      client.ws.send(new Uint8Array([1, 2, 3]));
      expect(await eventually(() => client.received.length === 3)).toBe(true);
      expect(client.received[0]).toBe("welcome ada");
      expect(client.received[1]).toBe("echo: hi");
      expect([...new Uint8Array(client.received[2] as ArrayBuffer)]).toEqual([3, 2, 1]);
      client.ws.send("bye");
      expect(await client.closed).toEqual({ code: 4000, reason: "see you" });
      let seen = await counts(specs["ws-echo"] as AppSpec);
      for (let i = 0; i < 50 && seen.closed < 1; i++) {
        await Bun.sleep(20);
        seen = await counts(specs["ws-echo"] as AppSpec);
      }
      expect(seen).toEqual({ opened: 1, closed: 1 });
      expect(pool.stats().apps["ws-echo@0.0.0"]?.isolation).toBe(tier);
    });

    it("keeps the order of a burst of messages and carries a 1 MB binary message intact", async () => {
      const client = await connect("/ws-echo/?name=burst");
      const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 13) % 256);
      for (let i = 0; i < 200; i++) client.ws.send(`m${i}`);
      client.ws.send(big);
      expect(await eventually(() => client.received.length === 202, 5000)).toBe(true);
      expect(client.received.slice(1, 201)).toEqual(Array.from({ length: 200 }, (_, i) => `echo: m${i}`));
      expect(new Uint8Array(client.received[201] as ArrayBuffer)).toEqual(big.slice().reverse());
      client.ws.close();
      await client.closed;
    });

    it("keeps the worker alive past its idle timeout while a socket is open", async () => {
      const client = await connect("/ws-idle/");
      await Bun.sleep(400);
      expect(ended.some((e) => e.app === "ws-idle@0.0.0")).toBe(false);
      client.ws.send("still there?");
      expect(await eventually(() => client.received.includes("echo: still there?"))).toBe(true);
      client.ws.close();
      await client.closed;
      expect(
        await eventually(() => ended.some((e) => e.app === "ws-idle@0.0.0" && e.reason === "idle")),
      ).toBe(true);
    });

    it("closes a dead worker's sockets with 1011, other apps keep answering, and the next socket gets a new worker", async () => {
      const victim = await connect("/ws-crash/");
      const bystander = await connect("/ws-echo/");
      victim.ws.send("crash");
      expect((await victim.closed).code).toBe(1011);
      expect((await call(pool, fixture("hello"))).text).toBe("hello");
      bystander.ws.send("ok?");
      expect(await eventually(() => bystander.received.includes("echo: ok?"))).toBe(true);
      const again = await connect("/ws-crash/?name=again");
      expect(await eventually(() => again.received.includes("welcome again"))).toBe(true);
      again.ws.close();
      bystander.ws.close();
      await Promise.all([again.closed, bystander.closed]);
    });

    it("refuses an upgrade to an app without websocket handlers, or to an ephemeral app", async () => {
      const plain = await pool.upgrade(fixture("hello"), new Request("http://app.test/"), server);
      expect(plain?.status).toBe(400);
      expect(await plain?.text()).toContain("does not export websocket handlers");
      const ephemeral = await pool.upgrade(
        fixture("hello", { name: "eph", ttl: 0 }),
        new Request("http://x/"),
        server,
      );
      expect(ephemeral?.status).toBe(400);
      expect(await ephemeral?.text()).toContain("ephemeral");
    });
  });
});
