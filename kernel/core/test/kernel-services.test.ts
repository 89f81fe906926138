import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { kernelFilePath } from "@buntime/kernel";
import { definePlugin, type KernelCluster, type LogEntry } from "@buntime/sdk";
import { inlinePlugin, signInPlugin, startTestKernel } from "./support/kernel-fixture.ts";

describe("what the kernel tells others", () => {
  it("records its URL in <home>/kernel.json while it listens", async () => {
    const { kernel } = await startTestKernel();
    const path = kernelFilePath(kernel.config.home);
    expect(existsSync(path)).toBe(false);
    const url = await kernel.listen();
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ url: url.href, pid: process.pid });
    await kernel.stop();
    expect(existsSync(path)).toBe(false);
  });

  it("feeds every log line to plugins consuming kernel:logs", async () => {
    const seen: LogEntry[] = [];
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "tail",
          { consumes: ["kernel:logs"] },
          definePlugin({
            setup(ctx) {
              ctx.services.get("kernel:logs").subscribe((entry) => seen.push(entry));
            },
          }),
        ),
        inlinePlugin(
          "chatty",
          { dependencies: { tail: "*" } },
          definePlugin({ setup: (ctx) => ctx.logger.warn("hello", { n: 1 }) }),
        ),
      ],
    });
    expect(seen).toContainEqual(
      expect.objectContaining({
        namespace: "plugin:chatty",
        level: "warn",
        message: "hello",
        fields: { n: 1 },
      }),
    );
    expect(
      seen.some((entry) => entry.namespace === "kernel:plugins" && entry.message === "started chatty@1.0.0"),
    ).toBe(true);
    expect(kernel.service("kernel:logs")).toBeDefined();
  });

  it("tells plugins consuming kernel:clients the client's address", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "ip",
          { base: "/ip", consumes: ["kernel:clients"] },
          definePlugin({
            setup(ctx) {
              const clients = ctx.services.get("kernel:clients");
              return {
                fetch: (req, context) =>
                  new Response(
                    `${clients.address(req) ?? "unknown"} ${context.clientAddress() ?? "unknown"}`,
                  ),
              };
            },
          }),
        ),
      ],
    });
    expect(await (await request("/ip")).text()).toBe("unknown unknown"); // in process: no connection
    const url = await kernel.listen();
    expect(await (await fetch(new URL("/ip", url))).text()).toBe("127.0.0.1 127.0.0.1");
  });

  it("lets plugins consuming kernel:websockets take a request over as a WebSocket", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "shout",
          { base: "/shout", consumes: ["kernel:websockets"] },
          definePlugin({
            setup(ctx) {
              const websockets = ctx.services.get("kernel:websockets");
              return {
                fetch: (req) =>
                  websockets.upgrade(
                    req,
                    {
                      message: (ws, message) => {
                        ws.send(String(message).toUpperCase() + ws.data.suffix);
                      },
                    },
                    { suffix: "!" },
                  ) ?? new Response("not a websocket", { status: 426 }),
              };
            },
          }),
        ),
      ],
    });
    expect((await request("/shout")).status).toBe(426); // in process: nothing to upgrade
    const url = await kernel.listen();
    expect((await fetch(new URL("/shout", url))).status).toBe(426);
    const socket = new WebSocket(new URL("/shout", url.href.replace("http", "ws")));
    const reply = new Promise<string>((resolve, reject) => {
      socket.addEventListener("message", (event) => resolve(String(event.data)));
      setTimeout(() => reject(new Error("no reply within 10 s")), 10_000);
    });
    await new Promise<void>((resolve) => socket.addEventListener("open", () => resolve()));
    socket.send("hello");
    expect(await reply).toBe("HELLO!");
    socket.close();
  });

  it("tells plugins consuming kernel:admin whether a request carries the kernel's admin token", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [
        signInPlugin(),
        inlinePlugin(
          "gate",
          { base: "/gate", consumes: ["kernel:admin"] },
          definePlugin({
            setup(ctx) {
              const admin = ctx.services.get("kernel:admin");
              return { fetch: (req) => new Response(String(admin.isAdmin(req))) };
            },
          }),
        ),
      ],
    });
    const token = kernel.adminToken;
    const cases: [Record<string, string>, string][] = [
      [{ authorization: `Bearer ${token}` }, "true"],
      [{}, "false"],
      [{ authorization: "Bearer not-the-token" }, "false"],
      [{ authorization: `Bearer ${token}x` }, "false"],
      [{ authorization: token }, "false"],
      [{ authorization: `Basic ${token}` }, "false"],
      // a signed-in admin is the auth plugin's business: isAdmin is about the kernel's token only
      [{ "x-user": "ada", "x-roles": "admin" }, "false"],
    ];
    for (const [headers, expected] of cases) {
      const answer = await (await request("/gate", { headers })).text();
      expect({ headers, answer }).toEqual({ headers, answer: expected });
    }
  });

  it("tells plugins consuming kernel:cluster their node's name, and that a single kernel is no cluster", async () => {
    const previous = process.env.BUNTIME_NODE;
    const names: string[] = [];
    const start = () =>
      startTestKernel({
        plugins: [
          inlinePlugin(
            "where",
            { base: "/where", consumes: ["kernel:cluster"] },
            definePlugin({
              setup(ctx) {
                const cluster = ctx.services.get("kernel:cluster");
                names.push(cluster.node);
                return {
                  fetch: async () =>
                    Response.json({ clustered: cluster.clustered, view: await cluster.view() }),
                };
              },
            }),
          ),
        ],
      });
    try {
      delete process.env.BUNTIME_NODE;
      const { request } = await start();
      expect(await (await request("/where")).json()).toEqual({ clustered: false, view: { cluster: false } });
      process.env.BUNTIME_NODE = "edge-7";
      await start();
    } finally {
      if (previous === undefined) delete process.env.BUNTIME_NODE;
      else process.env.BUNTIME_NODE = previous;
    }
    expect(names).toEqual([hostname(), "edge-7"]);
  });

  it("keeps kernel:cluster from plugins that do not consume it", async () => {
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "nosy",
          {},
          definePlugin({
            setup(ctx) {
              expect(() => ctx.services.get("kernel:cluster")).toThrow();
            },
          }),
        ),
      ],
    });
    expect((kernel.service("kernel:cluster") as KernelCluster | undefined)?.clustered).toBe(false);
  });
});
