/**
 * The error codes of the marketplace's package media and declared health checks. Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const MARKETPLACE_ERROR_CODES = {} as const satisfies Record<string, ErrorSpec>;
