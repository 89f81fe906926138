/**
 * The error codes of the worker pool (both isolation tiers, the sandbox and the egress proxy).
 * Kept apart from errors.ts (which spreads them into the one registry, `ERROR_CODES`) so each
 * file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** The worker pool's codes, with their HTTP status and message template. */
export const POOL_ERROR_CODES = {
  BUNTIME_ERR_POOL_WORKER_FAILED: { status: 502, message: "app {app} failed: {reason}" },
  BUNTIME_ERR_POOL_TIMEOUT: { status: 504, message: "app {app} did not answer within {ms} ms" },
  BUNTIME_ERR_POOL_SHUTTING_DOWN: { status: 503, message: "the worker pool is shutting down" },
  BUNTIME_ERR_POOL_BODY_TOO_LARGE: {
    status: 413,
    message: "app {app} accepts request bodies up to {limit} bytes",
  },
  BUNTIME_ERR_POOL_OVERLOADED: {
    status: 503,
    message: "app {app} is busy ({queued} requests waiting); retry in {seconds} s",
  },
  BUNTIME_ERR_POOL_APP_CONFIG_INVALID: { status: 500, message: "app {app}: invalid config: {details}" },
  BUNTIME_ERR_POOL_APP_ENTRY_MISSING: { status: 500, message: "app {app}: no entry module ({details})" },
  BUNTIME_ERR_POOL_THREAD_FORBIDDEN: {
    status: 500,
    message: "{call} is not allowed in the thread tier: it would {effect}; run the app in the process tier",
  },
  BUNTIME_ERR_POOL_EGRESS_DENIED: {
    status: 403,
    message: 'app {app} may not reach {target}: declare it in permissions.network (e.g. "{rule}")',
  },
  BUNTIME_ERR_POOL_EGRESS_ADDRESS_DENIED: {
    status: 403,
    message:
      'app {app} may not reach {target} at {address} (not public): declare "{rule}" in permissions.network',
  },
  BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST: { status: 400, message: "egress proxy: {details}" },
  BUNTIME_ERR_POOL_EGRESS_UNREACHABLE: {
    status: 502,
    message: "app {app} could not reach {target}: {reason}",
  },
  BUNTIME_ERR_POOL_EGRESS_RULE_INVALID: {
    status: 500,
    message: 'app {app}: network permission "{rule}" is invalid: {details}',
  },
  BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE: {
    status: 500,
    message: "the process-tier sandbox cannot be created: {reason}. Fix: {fix}",
  },
  BUNTIME_ERR_POOL_SANDBOX_SPEC_INVALID: { status: 500, message: "sandbox {name}: {details}" },
  BUNTIME_ERR_POOL_SANDBOX_UIDS_EXHAUSTED: {
    status: 503,
    message: "no free sandbox uid in {range} ({live} sandboxes running); widen uidRange",
  },
} as const satisfies Record<string, ErrorSpec>;
