import { join } from "node:path";
import { contextPath, type RequestContext } from "@buntime/sdk";
import { Hono } from "hono";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import { type MaybePromise, then } from "./maybe-async.ts";
import { createUiHandler } from "./plugin-ui.ts";

/** Answers a request under a plugin's base, or resolves undefined to let the next handler try. */
export type PluginHandler = (
  request: Request,
  context: RequestContext,
) => MaybePromise<Response | undefined | void>;

function routesHandler(plugin: LoadedPlugin, base: string): PluginHandler | undefined {
  const { routes } = plugin.hooks;
  if (!routes) return undefined;
  const mounted = new Hono<{ Bindings: RequestContext }>({ getPath: contextPath });
  const declined = new Response(null, { status: 404 });
  mounted.route(base === "/" ? "" : base, routes);
  mounted.notFound(() => declined);
  // the request context travels as Hono's env, so handlers read `c.env.locals`
  return (request, context) =>
    then(mounted.fetch(request, context), (response) => (response === declined ? undefined : response));
}

function uiHandler(plugin: LoadedPlugin, base: string): PluginHandler | undefined {
  const { ui } = plugin.manifest;
  if (!ui || plugin.origin === "inline") return undefined;
  return createUiHandler(join(plugin.origin, ui.dir), base);
}

/** Tries `handlers` in turn until one answers. */
function chain(handlers: readonly PluginHandler[]): PluginHandler | undefined {
  const [first, ...rest] = handlers;
  if (!first) return undefined;
  const next = chain(rest);
  if (!next) return first; // the hot case: a plugin with only `fetch` costs no extra closure
  return (request, context) =>
    then(first(request, context), (response) => response ?? next(request, context));
}

/**
 * Builds the handler for a plugin's base: its `fetch` first, then its `routes` (a Hono app
 * mounted at the base), then the files of its UI folder (manifest `ui.dir`). When all of them
 * decline, shorter bases get their turn.
 */
export function mountPlugin(plugin: LoadedPlugin): PluginHandler | undefined {
  const base = plugin.manifest.base;
  if (base === undefined) return undefined;
  return chain(
    [plugin.hooks.fetch, routesHandler(plugin, base), uiHandler(plugin, base)].filter(
      (handler): handler is PluginHandler => handler !== undefined,
    ),
  );
}
