/**
 * Type-level tests of the plugin contract, checked by `tsc --noEmit` (part of `npm test`):
 * each `@ts-expect-error` fails the build if the line below it compiles.
 */
import { definePlugin } from "@buntime/sdk";
import { z } from "zod";

declare module "@buntime/sdk" {
  interface Services {
    "typetest:clock": { now(): number };
  }
}

definePlugin({
  config: z.object({ port: z.number(), name: z.string().default("x") }),
  onInit(ctx) {
    const port: number = ctx.config.port;
    const name: string = ctx.config.name;
    // @ts-expect-error config.port is a number, not a string
    const wrong: string = ctx.config.port;
    // @ts-expect-error no such setting in the schema
    ctx.config.missing;
    const now: number = ctx.services.get("typetest:clock").now();
    // @ts-expect-error a declared service has its declared type
    ctx.services.provide("typetest:clock", { now: () => "later" });
    void [port, name, wrong, now];
  },
});

definePlugin({
  // @ts-expect-error onRequest must return a Response, a Request or nothing
  onRequest: () => 42,
});

definePlugin({
  onRequest: async (request) => (request.method === "GET" ? undefined : new Response("no", { status: 405 })),
  fetch: (request) => new Response(request.url),
});
