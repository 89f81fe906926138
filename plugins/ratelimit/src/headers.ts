/**
 * Decisions as HTTP: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds) and
 * `RateLimit-Policy` as in the IETF RateLimit header fields draft, and `Retry-After` on 429.
 */
import { BuntimeError, type RateLimitDecision } from "@buntime/sdk";

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** The headers of a decision; `Retry-After` only when it refused. */
export function decisionHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(seconds(decision.resetMs)),
    "RateLimit-Policy": `${decision.limit};w=${seconds(decision.windowMs)}`,
  };
  if (!decision.allowed) headers["Retry-After"] = String(Math.max(1, seconds(decision.retryAfterMs)));
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
  const headers = decisionHeaders(decision);
  try {
    for (const name in headers) response.headers.set(name, headers[name] as string);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const name in headers) copy.headers.set(name, headers[name] as string);
    return copy;
  }
}
