/**
 * The error codes of several kernel nodes on shared PostgreSQL and Redis: desired state, reconcile and node readiness. Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const CLUSTER_ERROR_CODES = {} as const satisfies Record<string, ErrorSpec>;
