/**
 * Type-level tests of the plugin contract, checked by `tsc --noEmit` (part of `npm test`):
 * each `@ts-expect-error` fails the build if the line below it compiles.
 */
import { definePlugin, type RequestContext } from "@buntime/sdk";
import { Hono } from "hono";
import { z } from "zod";

declare module "@buntime/sdk" {
  interface Services {
    "typetest:clock": { now(): number };
  }
}

definePlugin({
  config: z.object({ port: z.number(), name: z.string().default("x") }),
  setup(ctx) {
    const port: number = ctx.config.port;
    const name: string = ctx.config.name;
    // @ts-expect-error config.port is a number, not a string
    const wrong: string = ctx.config.port;
    // @ts-expect-error no such setting in the schema
    ctx.config.missing;
    const now: number = ctx.services.get("typetest:clock").now();
    // @ts-expect-error a declared service has its declared type
    ctx.services.provide("typetest:clock", { now: () => "later" });
    // shared contracts are typed with no declaration of the plugin's own
    const keyval = ctx.services.get("keyval");
    void keyval.get<{ n: number }>("k").then((entry) => entry?.value.n);
    void [port, name, wrong, now];
  },
});

// @ts-expect-error the hooks are what setup returns, not keys of the definition
definePlugin({ onRequest: () => undefined, setup() {} });

// @ts-expect-error a plugin without setup
definePlugin({ config: z.object({}) });

definePlugin({
  setup: () => ({
    // @ts-expect-error onRequest returns a Response or nothing: no number
    onRequest: () => 42,
  }),
});

definePlugin({
  setup: () => ({
    // @ts-expect-error onRequest can no longer replace the request
    onRequest: (request) => new Request(request.url),
  }),
});

definePlugin({
  // @ts-expect-error setup returns hooks by their names only: a misspelt hook is refused
  setup: () => ({ onRequset: () => undefined }),
});

definePlugin({
  setup(ctx) {
    let served = 0;
    const routes = new Hono<{ Bindings: RequestContext }>().get("/me", (c) => {
      const user = c.env.locals.user; // typed: RequestUser | undefined
      const roles: readonly string[] = user?.roles ?? [];
      // @ts-expect-error locals.user has no password
      void user?.password;
      return c.json({ username: user?.username ?? null, roles, app: c.env.locals.app?.name });
    });
    return {
      onRequest: async (request, context) => {
        context.locals.user = { username: "ada", roles: ["admin"], via: "test" };
        return request.method === "GET" ? undefined : new Response("no", { status: 405 });
      },
      onResponse: (response, _request, context) => {
        response.headers.set("x-request-id-seen", context.requestId);
      },
      fetch: (_request, context) =>
        context.pathname === "/count" ? new Response(String(++served)) : undefined,
      routes,
      onServerStart: (server) => ctx.logger.info(`listening on ${server.url.href}`),
      onShutdown: async () => {},
      onWorkerSpawn: (event) => ctx.logger.debug(event.app),
    };
  },
});

definePlugin({
  async setup() {
    // @ts-expect-error locals.user is a RequestUser: roles are required
    const user: RequestContext["locals"]["user"] = { username: "ada" };
    void user;
  },
});
