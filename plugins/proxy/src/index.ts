/**
 * @buntime/plugin-proxy: a reverse proxy inside the kernel. Rules send a path pattern to an
 * upstream URL, with a path rewrite, header changes and a timeout; bodies stream both ways and
 * an upstream that is down gets a 502 with a body that says which rule and which upstream.
 * Rules come from the settings and from an admin-only API at `/proxy/api/rules`, applied
 * without a restart. With no rules it starts empty and its hook returns at once. WebSockets
 * pass through when the server hands upgrades to the proxy (`completeWebSocketUpgrade`).
 */
import { BuntimeError, definePlugin, type PluginContext, pathnameOf } from "@buntime/sdk";
import type { Hono } from "hono";
import { z } from "zod";
import { forward } from "./forward.ts";
import { ParkedUpgrades, UPGRADE_HEADER } from "./parked-upgrades.ts";
import { type AdminCheck, createProxyRoutes } from "./routes.ts";
import { ruleSchema } from "./rule.ts";
import { RuleStore } from "./rule-store.ts";
import { isWebSocketUpgrade, relayUpgrade, type SocketServer } from "./socket-relay.ts";

export type { ProxyRule, ProxyRuleInput } from "./rule.ts";
export { ruleSchema } from "./rule.ts";
export type { ListedRule } from "./rule-store.ts";
export type { RelayData, SocketServer } from "./socket-relay.ts";
export { proxyWebSocketHandler } from "./socket-relay.ts";
export { UPGRADE_HEADER };

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
// Upgrades are parked process-wide: the server that finishes them knows no plugin context.
const parked = new ParkedUpgrades();

/**
 * Finishes a WebSocket upgrade that a proxy rule took. Call it from the server's `fetch` with
 * the kernel's response to an upgrade request: it resolves with `undefined` once the socket is
 * upgraded and relayed (return nothing then), or with the response to send (the kernel's own,
 * or a coded 502/504 when the upstream refused). Pass `proxyWebSocketHandler` as `websocket`.
 *
 * @example
 * Bun.serve({
 *   async fetch(request, server) {
 *     const response = await kernel.fetch(request);
 *     return completeWebSocketUpgrade(response, request, server);
 *   },
 *   websocket: proxyWebSocketHandler,
 * });
 */
export async function completeWebSocketUpgrade(
  response: Response,
  request: Request,
  server: SocketServer,
): Promise<Response | undefined> {
  const id = response.headers.get(UPGRADE_HEADER);
  const item = id === null ? undefined : parked.take(id);
  if (!item) return response;
  await response.body?.cancel();
  return relayUpgrade(item.entry, item.request, server, request);
}

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
    const id = parked.park(entry, request);
    return new BuntimeError("BUNTIME_ERR_PROXY_WEBSOCKET_UNAVAILABLE", { rule: entry.rule.id }).getResponse({
      [UPGRADE_HEADER]: id,
    });
  },
  onShutdown(ctx) {
    states.delete(ctx);
  },
  fetch: (request, ctx) => states.get(ctx)?.routes.fetch(request),
});
