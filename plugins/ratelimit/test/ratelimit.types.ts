/**
 * Type-level tests of the `ratelimit` service, checked by `tsc --noEmit`: importing the plugin
 * types `ctx.services.get("ratelimit")`, and each `@ts-expect-error` fails the build if its line
 * compiles.
 */
import type {} from "@buntime/plugin-ratelimit";
import { definePlugin } from "@buntime/sdk";

definePlugin({
  async fetch(_request, ctx) {
    const limiter = ctx.services.get("ratelimit");
    const decision = await limiter.consume("user:ada", { name: "login", limit: 5, window: "15m" });
    const allowed: boolean = decision.allowed;
    const retry: number = decision.retryAfterMs;
    // @ts-expect-error a policy needs a limit
    await limiter.consume("k", { name: "x", window: "1m" });
    // @ts-expect-error algorithms are token-bucket or sliding-window
    await limiter.consume("k", { limit: 1, window: 1000, algorithm: "leaky" });
    void [allowed, retry];
    return allowed ? undefined : limiter.exceeded(decision);
  },
});
