/**
 * Type-level tests of the `ratelimit` contract, checked by `tsc --noEmit`: the plugin's limiter
 * satisfies the contract's `RateLimiter`, `ctx.services` types `ratelimit` from the contract
 * alone, and each `@ts-expect-error` fails the build if its line compiles.
 */
import { createMemoryStore, createRateLimiter } from "@buntime/plugin-ratelimit";
import { definePlugin, type RateLimiter } from "@buntime/sdk";

definePlugin({
  setup(ctx) {
    // The plugin's implementation is the contract's limiter.
    const implementation = createRateLimiter(createMemoryStore()) satisfies RateLimiter;
    ctx.services.provide("ratelimit", implementation);
    const { exceeded: _, ...withoutExceeded } = implementation;
    // @ts-expect-error a limiter without exceeded is not a RateLimiter
    withoutExceeded satisfies RateLimiter;
    // @ts-expect-error ratelimit is provided whole, not in part
    ctx.services.provide("ratelimit", { consume: implementation.consume });
    // @ts-expect-error a store counts, but it is not the service
    ctx.services.provide("ratelimit", createMemoryStore());

    return {
      async fetch() {
        const limiter = ctx.services.get("ratelimit");
        const decision = await limiter.consume("user:ada", { name: "login", limit: 5, window: "15m" });
        const allowed: boolean = decision.allowed;
        const retry: number = decision.retryAfterMs;
        const headers: Record<string, string> = limiter.headers(decision);
        // @ts-expect-error a policy needs a limit
        await limiter.consume("k", { name: "x", window: "1m" });
        // @ts-expect-error algorithms are token-bucket or sliding-window
        await limiter.consume("k", { limit: 1, window: 1000, algorithm: "leaky" });
        // @ts-expect-error a cost is a number of requests
        await limiter.consume("k", { limit: 1, window: 1000 }, "2");
        // @ts-expect-error reset needs the policy whose counter it clears
        await limiter.reset("k");
        void [retry, headers];
        return allowed ? undefined : limiter.exceeded(decision);
      },
    };
  },
});
