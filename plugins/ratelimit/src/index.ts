/**
 * @buntime/plugin-ratelimit: per-route rate limits keyed by client address, user, API key or
 * route, with a token bucket or a sliding window, `RateLimit-*` headers and 429 with
 * `Retry-After`. Counters live in memory, or in Redis so several kernels share one limit. It
 * provides the `ratelimit` service, which other plugins (auth) use for limits of their own.
 * Rules keyed by user read `locals.user`, which the auth plugin sets. Without rules it limits
 * nothing and returns no request hooks.
 */
import { BuntimeError, definePlugin } from "@buntime/sdk";
import { ratelimitConfigSchema } from "./config.ts";
import { createGuard } from "./guard.ts";
import { createRateLimiter } from "./limiter.ts";
import { createMemoryStore } from "./memory-store.ts";
import { createRedisStore } from "./redis-store.ts";
import { compileRules } from "./rules.ts";
import type { RateLimitStore } from "./types.ts";

export type { RateLimitAlgorithm, RateLimitDecision, RateLimiter, RateLimitPolicy } from "@buntime/sdk";
export type { ResolvedRatelimitConfig, ResolvedRule } from "./config.ts";
export { ratelimitConfigSchema, ruleSchema } from "./config.ts";
export { decisionHeaders, exceededResponse } from "./headers.ts";
export type { RateLimiterOptions } from "./limiter.ts";
export { createRateLimiter } from "./limiter.ts";
export type { MemoryStoreOptions } from "./memory-store.ts";
export { createMemoryStore } from "./memory-store.ts";
export type { RedisStoreOptions } from "./redis-store.ts";
export { createRedisStore } from "./redis-store.ts";
export type { RateLimitStore, ResolvedPolicy } from "./types.ts";

export default definePlugin({
  config: ratelimitConfigSchema,
  setup(ctx) {
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
    // Hooks run in dependency order: ratelimit optionally depends on auth, so auth has set
    // `locals.user` before these rules look at it, whenever auth runs at all.
    if (rules.some((rule) => rule.key === "user" || rule.key === "apiKey") && !ctx.services.has("auth")) {
      ctx.logger.warn(
        "no auth plugin runs before ratelimit: rules keyed by user or apiKey count every caller by address",
      );
    }
    ctx.services.provide("ratelimit", createRateLimiter(store));
    ctx.logger.info(`${rules.length} rule(s), ${store.name} store`);
    const onShutdown = () => store.close();
    if (rules.length === 0) return { onShutdown };
    const guard = createGuard({
      rules,
      store,
      failOpen: config.failOpen,
      now: Date.now,
      logger: ctx.logger,
    });
    return { onRequest: guard.onRequest, onResponse: guard.onResponse, onShutdown };
  },
});
