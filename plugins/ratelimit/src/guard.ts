/**
 * The request hook: counts each request against every rule it matches (by the request's
 * canonical path), answers 429 when any refuses, and remembers the tightest decision so the
 * response carries `RateLimit-*` headers. With a memory store it never returns a promise.
 */
import { BuntimeError, type Logger, type RateLimitDecision, type RequestContext } from "@buntime/sdk";
import { clientKey } from "./client-key.ts";
import { exceededResponse, withDecisionHeaders } from "./headers.ts";
import type { CompiledRule } from "./rules.ts";
import type { RateLimitStore } from "./types.ts";

/** What the guard needs. */
export interface GuardOptions {
  readonly rules: readonly CompiledRule[];
  readonly store: RateLimitStore;
  readonly failOpen: boolean;
  readonly now: () => number;
  readonly logger: Logger;
}

const LOG_EVERY_MS = 10_000;

/** A decision, nothing (the store failed open), or the failure to answer with (failed closed). */
type Outcome = RateLimitDecision | BuntimeError | undefined;

/** Where the tightest decision waits for the response, in the request's locals: a key no other plugin can name. */
const DECIDED = Symbol("ratelimit decision");
type Decided = { [DECIDED]?: RateLimitDecision };

/** A request hook and a response hook for one plugin instance. */
export function createGuard(options: GuardOptions) {
  const { rules, store, failOpen, now, logger } = options;
  // each rule's counters live under `rule:<policy>:`, the caller's key after it
  const prefixes = rules.map((rule) => `rule:${rule.policy.name}:`);

  // An outage is logged when it starts, then at most every LOG_EVERY_MS, and when it ends.
  let failingSince: number | undefined;
  let lastLogged = 0;
  let unlogged = 0;

  function storeFailed(error: unknown): Outcome {
    const failure = new BuntimeError(
      "BUNTIME_ERR_RATELIMIT_STORE_FAILED",
      { store: store.name, details: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
    const at = Date.now();
    failingSince ??= at;
    if (at - lastLogged >= LOG_EVERY_MS) {
      const action = failOpen ? "letting requests through" : "refusing requests";
      const more = unlogged > 0 ? ` (${unlogged} more failures since the last line)` : "";
      logger.warn(`${failure.message}; ${action}${more}`, { code: failure.code });
      lastLogged = at;
      unlogged = 0;
    } else {
      unlogged++;
    }
    return failOpen ? undefined : failure;
  }

  function recovered(decision: RateLimitDecision): RateLimitDecision {
    if (failingSince !== undefined) {
      logger.info(`rate limit store ${store.name} is back after ${Date.now() - failingSince} ms`);
      failingSince = undefined;
      lastLogged = 0;
      unlogged = 0;
    }
    return decision;
  }

  function consume(rule: CompiledRule, prefix: string, key: string): Outcome | Promise<Outcome> {
    try {
      const result = store.consume(prefix + key, rule.policy, 1, now());
      return result instanceof Promise ? result.then(recovered, storeFailed) : result;
    } catch (error) {
      return storeFailed(error);
    }
  }

  function conclude(context: RequestContext, outcomes: readonly Outcome[]): Response | undefined {
    let refused: RateLimitDecision | undefined;
    let tightest: RateLimitDecision | undefined;
    for (const outcome of outcomes) {
      if (!outcome) continue;
      if (outcome instanceof BuntimeError) return outcome.getResponse();
      if (!outcome.allowed) {
        if (!refused || outcome.retryAfterMs > refused.retryAfterMs) refused = outcome;
      } else if (!tightest || outcome.remaining < tightest.remaining) {
        tightest = outcome;
      }
    }
    if (refused) return exceededResponse(refused);
    if (tightest) (context.locals as Decided)[DECIDED] = tightest;
    return undefined;
  }

  function onRequest(
    request: Request,
    context: RequestContext,
  ): Response | undefined | Promise<Response | undefined> {
    let outcomes: (Outcome | Promise<Outcome>)[] | undefined;
    let waiting = false;
    const method = request.method;
    const path = context.pathname;
    for (let index = 0; index < rules.length; index++) {
      const rule = rules[index] as CompiledRule;
      if (!rule.matches(method, path)) continue;
      const outcome = consume(rule, prefixes[index] as string, clientKey(rule.key, request, context));
      if (outcome instanceof Promise) waiting = true;
      if (outcomes === undefined) outcomes = [outcome];
      else outcomes.push(outcome);
    }
    if (outcomes === undefined) return undefined;
    if (!waiting) return conclude(context, outcomes as Outcome[]);
    return Promise.all(outcomes).then((settled) => conclude(context, settled));
  }

  function onResponse(response: Response, _request: Request, context: RequestContext): Response | undefined {
    const decision = (context.locals as Decided)[DECIDED];
    return decision === undefined ? undefined : withDecisionHeaders(response, decision);
  }

  return { onRequest, onResponse };
}
