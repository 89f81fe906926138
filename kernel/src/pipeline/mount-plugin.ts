import { Hono } from "hono";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import { type MaybePromise, then } from "./maybe-async.ts";

/** Answers a request under a plugin's base, or resolves undefined to let the next handler try. */
export type PluginHandler = (request: Request) => MaybePromise<Response | undefined | void>;

/**
 * Builds the handler for a plugin's base: its `fetch` first, then its `routes` (a Hono app
 * mounted at the base). A `fetch` that returns nothing, or routes that match nothing,
 * decline the request so that shorter bases get their turn.
 */
export function mountPlugin(plugin: LoadedPlugin): PluginHandler | undefined {
  const { fetch, routes } = plugin.definition;
  const base = plugin.manifest.base;
  if (base === undefined || (!fetch && !routes)) return undefined;

  let mounted: Hono | undefined;
  const declined = new Response(null, { status: 404 });
  if (routes) {
    mounted = new Hono();
    mounted.route(base === "/" ? "" : base, routes);
    mounted.notFound(() => declined);
  }
  const viaRoutes = (request: Request): MaybePromise<Response | undefined> =>
    mounted
      ? then(mounted.fetch(request), (response) => (response === declined ? undefined : response))
      : undefined;
  if (!fetch) return viaRoutes;
  if (!mounted) return (request) => fetch(request, plugin.ctx); // the hot case: no extra closure per request
  return (request) => then(fetch(request, plugin.ctx), (response) => response ?? viaRoutes(request));
}
