/**
 * @buntime/plugin-proxy: a reverse proxy inside the kernel. Rules send a path pattern to an
 * upstream URL, with a path rewrite, header changes and a timeout; bodies stream both ways and
 * an upstream that is down gets a 502 with a body that says which rule and which upstream.
 * Rules come from the settings and from an admin-only API at `/proxy/api/rules`, applied
 * without a restart. With no rules it starts empty and its hook returns at once. WebSockets
 * pass through, upgraded on the kernel's server through the `kernel:websockets` service.
 */
import { BuntimeError, definePlugin, type PluginContext, pathnameOf } from "@buntime/sdk";
import type { Hono } from "hono";
import { z } from "zod";
import { forward } from "./forward.ts";
import { type AdminCheck, createProxyRoutes } from "./routes.ts";
import { ruleSchema } from "./rule.ts";
import { RuleStore } from "./rule-store.ts";
import { isWebSocketUpgrade, proxyWebSocketHandler, type RelayData, relayUpgrade } from "./socket-relay.ts";

export type { ProxyRule, ProxyRuleInput } from "./rule.ts";
export { ruleSchema } from "./rule.ts";
export type { ListedRule } from "./rule-store.ts";
export type { RelayData } from "./socket-relay.ts";

/** Settings of the proxy plugin. */
export const proxyConfigSchema = z
  .object({
    /** Rules that always apply; the API cannot change them. @default [] */
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

const BASE = "/proxy";

interface ProxyState {
  readonly store: RuleStore;
  readonly clientOf: (request: Request) => string | undefined;
  readonly routes: Hono;
  readonly base: string;
}

const states = new WeakMap<PluginContext, ProxyState>();
/** True for paths the proxy never takes: its own API and the kernel's. */
function reserved(pathname: string, base: string): boolean {
  return pathname.startsWith("/_/") || pathname === base || pathname.startsWith(`${base}/`);
}

export default definePlugin({
  config: proxyConfigSchema,
  onInit(ctx) {
    const base = ctx.base ?? BASE;
    const store = new RuleStore(ctx.config.rules, ctx.dataDir);
    const auth = () => (ctx.services.has("auth") ? (ctx.services.get("auth") as AdminCheck) : undefined);
    const routes = createProxyRoutes({ base, store, auth, logger: ctx.logger });
    const clientOf = (request: Request) =>
      ctx.services.has("kernel:clients") ? ctx.services.get("kernel:clients").address(request) : undefined;
    states.set(ctx, { store, routes, base, clientOf });
    ctx.logger.info(`${store.table.size} rule(s)`);
  },
  onRequest(request, ctx) {
    const state = states.get(ctx);
    if (!state || state.store.table.size === 0) return undefined;
    const pathname = pathnameOf(request.url);
    if (reserved(pathname, state.base)) return undefined;
    const entry = state.store.table.match(request.method, pathname);
    if (!entry) return undefined;
    if (!isWebSocketUpgrade(request)) return forward(entry, request, state.clientOf(request));
    const websockets = ctx.services.get("kernel:websockets");
    if (!websockets.available()) {
      return new BuntimeError("BUNTIME_ERR_PROXY_WEBSOCKET_UNAVAILABLE", {
        rule: entry.rule.id,
      }).getResponse();
    }
    // relayUpgrade answers nothing once upgraded: the plugin returns the kernel's placeholder then
    let placeholder: Response | undefined;
    const server = {
      upgrade(received: Request, options: { data: RelayData; headers?: HeadersInit }) {
        placeholder = websockets.upgrade(received, proxyWebSocketHandler, options.data, options.headers);
        return placeholder !== undefined;
      },
    };
    return relayUpgrade(entry, request, server).then((refused) => refused ?? placeholder);
  },
  onShutdown(ctx) {
    states.delete(ctx);
  },
  fetch: (request, ctx) => states.get(ctx)?.routes.fetch(request),
});
