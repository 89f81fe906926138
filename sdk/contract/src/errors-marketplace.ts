/**
 * The error codes of the marketplace's package media and declared health checks. Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const MARKETPLACE_ERROR_CODES = {
  BUNTIME_ERR_MANIFEST_MEDIA_INVALID: { status: 400, message: "{source}: {field} ({file}) {reason}" },
  BUNTIME_ERR_MARKETPLACE_MEDIA_NOT_FOUND: { status: 404, message: "{package} has no {what}" },
  BUNTIME_ERR_PLUGIN_HEALTH_FAILED: {
    status: 500,
    message: "{plugin} failed its health check (GET {path}): {reason}",
  },
} as const satisfies Record<string, ErrorSpec>;
