/**
 * The error codes of tracing, structured logs, metrics conventions and health probes. Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const OBSERVE_ERROR_CODES = {
  BUNTIME_ERR_TRACE_EXPORT_FAILED: {
    status: 502,
    message: "could not export {spans} spans to {url}: {reason} (spans are dropped, requests go on)",
  },
  BUNTIME_ERR_TRACE_CONFIG_INVALID: { status: 500, message: "tracing settings: {source}: {details}" },
  BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED: {
    status: 401,
    message: "the metrics scrape needs the scrape token: send Authorization: Bearer <scrapeToken>",
  },
} as const satisfies Record<string, ErrorSpec>;
