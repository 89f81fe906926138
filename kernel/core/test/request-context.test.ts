import { describe, expect, it } from "bun:test";
import type { RequestContext } from "@buntime/sdk";
import { Hono } from "hono";
import { inlinePlugin, signInPlugin, startTestKernel, withHooks } from "./support/kernel-fixture.ts";

describe("the request context", () => {
  it("hands what one plugin's onRequest puts in locals to later hooks, fetch, routes and onResponse", async () => {
    const seen: string[] = [];
    const { request } = await startTestKernel({
      plugins: [
        signInPlugin(),
        inlinePlugin(
          "audit",
          { dependencies: { "sign-in": "*" } },
          withHooks({
            onRequest: (_req, context) => void seen.push(`onRequest ${context.locals.user?.username}`),
            onResponse: (_res, _req, context) =>
              void seen.push(`onResponse ${context.locals.user?.username}`),
          }),
        ),
        inlinePlugin(
          "whoami",
          { base: "/whoami" },
          withHooks({
            fetch: (_req, context) =>
              context.pathname === "/whoami/fetch"
                ? new Response(`fetch sees ${context.locals.user?.username}`)
                : undefined,
            routes: new Hono<{ Bindings: RequestContext }>().get("/routes", (c) =>
              c.text(`routes see ${c.env.locals.user?.username ?? "nobody"} (${c.env.locals.user?.via})`),
            ),
          }),
        ),
      ],
    });
    const headers = { "x-user": "ada" };
    expect(await (await request("/whoami/fetch", { headers })).text()).toBe("fetch sees ada");
    expect(await (await request("/whoami/routes", { headers })).text()).toBe("routes see ada (test)");
    expect(seen).toEqual(["onRequest ada", "onResponse ada", "onRequest ada", "onResponse ada"]);
    // locals belong to one request: the next one starts empty
    expect(await (await request("/whoami/routes")).text()).toBe("routes see nobody (undefined)");
  });

  it("shares one context per request: its id is the response's x-request-id, its pathname the routed path", async () => {
    const contexts: RequestContext[] = [];
    const { request } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "spy",
          { base: "/spy" },
          withHooks({
            onRequest: (_req, context) => void contexts.push(context),
            fetch: (_req, context) => {
              contexts.push(context);
              return new Response("seen");
            },
            onResponse: (_res, _req, context) => void contexts.push(context),
          }),
        ),
      ],
    });
    const res = await request("/spy/a/../b?q=1");
    expect(contexts).toHaveLength(3);
    expect(new Set(contexts).size).toBe(1);
    const [context] = contexts as [RequestContext];
    expect(context.requestId).toBe(res.headers.get("x-request-id") as string);
    expect(context.pathname).toBe("/spy/b");
    expect(context.clientAddress()).toBeUndefined(); // in process: no connection
  });

  it("tells the client's address as the kernel's server saw the connection", async () => {
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "ip",
          { base: "/ip" },
          withHooks({ fetch: (_req, context) => new Response(context.clientAddress() ?? "unknown") }),
        ),
      ],
    });
    const url = await kernel.listen();
    expect(await (await fetch(new URL("/ip", url))).text()).toBe("127.0.0.1");
  });
});

describe("an onRequest hook that returns a Request", () => {
  const rewrite = (request: Request) =>
    new Request(request.url.replace("/old", "/new"), { headers: { "x-tag": "rewritten" } });

  it.each([
    { case: "at once", hook: rewrite },
    { case: "from a promise", hook: async (request: Request) => rewrite(request) },
  ])(
    "is ignored when it returns it $case: later hooks and handlers get the original request",
    async ({ hook }) => {
      const later: Request[] = [];
      const { kernel } = await startTestKernel({
        plugins: [
          // the contract no longer lets onRequest replace the request; a plugin written against
          // the old one (plain JavaScript) must not reroute it
          inlinePlugin("rewrite", {}, withHooks({ onRequest: hook as never })),
          inlinePlugin(
            "echo",
            { base: "/", dependencies: { rewrite: "*" } },
            withHooks({
              onRequest: (req) => void later.push(req),
              fetch: (req, context) => {
                later.push(req);
                return new Response(`${context.pathname} ${req.headers.get("x-tag")}`);
              },
            }),
          ),
        ],
      });
      const original = new Request("http://127.0.0.1/old/page");
      const res = await kernel.fetch(original);
      expect(await res.text()).toBe("/old/page null");
      expect(later).toHaveLength(2);
      for (const seen of later) expect(seen).toBe(original);
    },
  );
});
