/**
 * The error codes of the registry's npm-compatible network features: uplinks, audit and settings. Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const REGISTRY_NET_ERROR_CODES = {
  BUNTIME_ERR_REGISTRY_SETTINGS_INVALID: { status: 400, message: "invalid registry settings: {details}" },
  BUNTIME_ERR_REGISTRY_UPLINK_FAILED: {
    status: 502,
    message: "{package}: the uplink {uplink} failed: {details}",
  },
  BUNTIME_ERR_REGISTRY_UPLINK_INTEGRITY: {
    status: 502,
    message:
      "{package}@{version}: the tarball from the uplink {uplink} does not match its integrity {expected} (got {actual}); nothing was cached",
  },
  BUNTIME_ERR_REGISTRY_AUDIT_INVALID: { status: 400, message: "invalid audit request: {details}" },
} as const satisfies Record<string, ErrorSpec>;
