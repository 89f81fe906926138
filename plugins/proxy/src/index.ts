/**
 * @buntime/plugin-proxy: a reverse proxy inside the kernel. Rules send a path pattern to an
 * upstream URL, with a path rewrite, header changes and a timeout; bodies stream both ways and
 * an upstream that is down gets a 502 with a body that says which rule and which upstream.
 * Rules come from the settings and from an admin-only API at `/proxy/api/rules`, applied
 * without a restart; the API's rules are kept in the `keyval` service when there is one, so every
 * node of a cluster serves them (each reads them again every second). With no rules it starts empty and its hook returns at once. Forwarded
 * requests name the signed-in user (`locals.user`) in `x-buntime-user` / `x-buntime-roles`,
 * never the client's own copies. WebSockets pass through, upgraded on the kernel's server
 * through the `kernel:websockets` service.
 */
import { BuntimeError, definePlugin, isUnderBase, schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";
import { forward } from "./forward.ts";
import { createProxyRoutes } from "./routes.ts";
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
    $schema: schemaReferenceSchema,
    /** Rules that always apply; the API cannot change them. @default [] */
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

const BASE = "/proxy";

export default definePlugin({
  config: proxyConfigSchema,
  async setup(ctx) {
    const base = ctx.base ?? BASE;
    const { services } = ctx;
    // looked up on each use: a storage plugin replaced while the kernel runs closes the old store
    const kv = services.has("keyval") ? () => services.get("keyval").namespace("proxy") : undefined;
    const store = await RuleStore.open(ctx.config.rules, ctx.dataDir, { kv, logger: ctx.logger });
    const routes = createProxyRoutes({
      store,
      auth: () => (services.has("auth") ? services.get("auth") : undefined),
      logger: ctx.logger,
    });
    ctx.logger.info(`${store.table.size} rule(s)`);
    return {
      routes,
      onShutdown: () => store.close(),
      onRequest(request, context) {
        if (store.table.size === 0) return undefined;
        const { pathname } = context;
        // The proxy never takes the kernel's API or its own.
        if (pathname.startsWith("/_/") || isUnderBase(pathname, base)) return undefined;
        const entry = store.table.match(request.method, pathname);
        if (!entry) return undefined;
        if (!isWebSocketUpgrade(request)) return forward(entry, request, context);
        const websockets = services.get("kernel:websockets");
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
        return relayUpgrade(entry, request, pathname, server).then((refused) => refused ?? placeholder);
      },
    };
  },
});
