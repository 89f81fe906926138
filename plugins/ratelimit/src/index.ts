/**
 * @buntime/plugin-ratelimit: per-route rate limits keyed by client address, user, API key or
 * route, with a token bucket or a sliding window, `RateLimit-*` headers and 429 with
 * `Retry-After`. Counters live in memory, or in Redis so several kernels share one limit. It
 * provides the `ratelimit` service, which other plugins (auth) use for limits of their own.
 * Without rules it limits nothing and its hooks return at once.
 */
import { BuntimeError, definePlugin, type PluginContext } from "@buntime/sdk";
import { ratelimitConfigSchema } from "./config.ts";
import { createGuard } from "./guard.ts";
import { createRateLimiter } from "./limiter.ts";
import { createMemoryStore } from "./memory-store.ts";
import { createRedisStore } from "./redis-store.ts";
import { compileRules } from "./rules.ts";
import type { RateLimitService, RateLimitStore } from "./types.ts";

export type { UserSource } from "./client-key.ts";
export type { ResolvedRatelimitConfig, ResolvedRule } from "./config.ts";
export { ratelimitConfigSchema, ruleSchema } from "./config.ts";
export { decisionHeaders, exceededResponse } from "./headers.ts";
export type { RateLimiterOptions } from "./limiter.ts";
export { createRateLimiter } from "./limiter.ts";
export type { MemoryStoreOptions } from "./memory-store.ts";
export { createMemoryStore } from "./memory-store.ts";
export type { RedisStoreOptions } from "./redis-store.ts";
export { createRedisStore } from "./redis-store.ts";
export type {
  RateLimitAlgorithm,
  RateLimitDecision,
  RateLimitPolicy,
  RateLimitService,
  RateLimitStore,
  ResolvedPolicy,
} from "./types.ts";

declare module "@buntime/sdk" {
  interface Services {
    ratelimit: RateLimitService;
  }
}

interface Instance {
  store: RateLimitStore;
  guard: ReturnType<typeof createGuard> | undefined;
}

const instances = new WeakMap<PluginContext, Instance>();

export default definePlugin({
  config: ratelimitConfigSchema,
  onInit(ctx) {
    const { config } = ctx;
    let store: RateLimitStore;
    if (config.store === "redis") {
      const url = config.redisUrl ?? process.env.REDIS_URL;
      if (!url) {
        throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
          source: ctx.name,
          details: 'store "redis" needs redisUrl (or env REDIS_URL)',
        });
      }
      store = createRedisStore({
        url,
        prefix: config.prefix,
        reconnectDelay: config.reconnectDelay,
        commandTimeout: config.commandTimeout,
      });
    } else {
      store = createMemoryStore({ maxKeys: config.maxKeys });
    }
    const rules = compileRules(config.rules);
    const clients = ctx.services.has("kernel:clients") ? ctx.services.get("kernel:clients") : undefined;
    if (!config.ipHeader && !clients && rules.some((rule) => rule.key !== "route")) {
      ctx.logger.warn(
        "no ipHeader set and no kernel:clients service: requests without a user or API key share one counter per rule",
      );
    }
    const guard =
      rules.length === 0
        ? undefined
        : createGuard({
            rules,
            store,
            settings: {
              ipHeader: config.ipHeader,
              apiKeyHeader: config.apiKeyHeader,
              socketAddress: clients && ((request) => clients.address(request)),
            },
            failOpen: config.failOpen,
            now: Date.now,
            ctx,
          });
    instances.set(ctx, { store, guard });
    ctx.services.provide("ratelimit", createRateLimiter(store));
    ctx.logger.info(`${rules.length} rule(s), ${store.name} store`);
  },
  onRequest: (request, ctx) => instances.get(ctx)?.guard?.onRequest(request),
  onResponse: (response, request, ctx) => instances.get(ctx)?.guard?.onResponse(response, request),
  async onShutdown(ctx) {
    const instance = instances.get(ctx);
    instances.delete(ctx);
    await instance?.store.close();
  },
});
