/**
 * Decisions as HTTP: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds) and
 * `RateLimit-Policy` as in the IETF RateLimit header fields draft, and `Retry-After` on 429.
 */
import { BuntimeError, type RateLimitDecision } from "@buntime/sdk";

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** What headers are written to: a `Headers`, or a record (see `decisionHeaders`). */
interface HeaderTarget {
  set(name: string, value: string): void;
}

/**
 * Writes the headers of a decision into `target`, `Retry-After` only when it refused: straight
 * into a response's `Headers` for every limited answer, with no record of them in between.
 */
function writeDecision(target: HeaderTarget, decision: RateLimitDecision): void {
  target.set("RateLimit-Limit", String(decision.limit));
  target.set("RateLimit-Remaining", String(decision.remaining));
  target.set("RateLimit-Reset", String(seconds(decision.resetMs)));
  target.set("RateLimit-Policy", `${decision.limit};w=${seconds(decision.windowMs)}`);
  if (!decision.allowed) target.set("Retry-After", String(Math.max(1, seconds(decision.retryAfterMs))));
}

/** The headers of a decision; `Retry-After` only when it refused. */
export function decisionHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  writeDecision(
    {
      set: (name, value) => {
        headers[name] = value;
      },
    },
    decision,
  );
  return headers;
}

/** The 429 answer to a refused decision. */
export function exceededResponse(decision: RateLimitDecision): Response {
  const retry = Math.max(1, seconds(decision.retryAfterMs));
  return new BuntimeError("BUNTIME_ERR_RATELIMIT_EXCEEDED", {
    rule: decision.policy,
    seconds: retry,
  }).getResponse(decisionHeaders(decision));
}

/** Adds a decision's headers to a response, copying it when its headers are immutable. */
export function withDecisionHeaders(response: Response, decision: RateLimitDecision): Response {
  try {
    writeDecision(response.headers, decision);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    writeDecision(copy.headers, decision);
    return copy;
  }
}
