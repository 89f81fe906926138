/**
 * An app's cross-origin rules (`cors` in its config) on Hono's `cors` middleware: preflights are
 * answered by the router without waking the app, and the app's answers get the
 * `access-control-*` headers its rules allow. An origin not listed gets no such header, so the
 * browser keeps the answer from the page.
 */
import type { MaybePromise, ResolvedAppConfig } from "@buntime/sdk";
import { Hono } from "hono";
import { cors } from "hono/cors";

/** Serves `request` through the app's CORS rules; `serve` answers it as the router would. */
export type CorsServe = (
  request: Request,
  serve: () => MaybePromise<Response | undefined>,
) => Promise<Response | undefined>;

type Env = { Bindings: { serve: () => MaybePromise<Response | undefined> } };

/** The CORS wrapper of an app with `cors` rules; undefined for an app without. */
export function corsOf(config: ResolvedAppConfig["cors"]): CorsServe | undefined {
  if (config === undefined) return undefined;
  const app = new Hono<Env>();
  app.use(
    cors({
      origin: config.origins === "*" ? "*" : [...config.origins],
      allowMethods: [...config.methods],
      allowHeaders: [...config.headers],
      exposeHeaders: [...config.exposeHeaders],
      credentials: config.credentials,
      maxAge: Math.round(config.maxAge / 1000),
    }),
  );
  // no answer from the app's side (a path that is no file of a static app): 404 as the kernel would
  app.all("*", async (c) => (await c.env.serve()) ?? c.body(null, 404));
  return async (request, serve) => app.fetch(request, { serve });
}
