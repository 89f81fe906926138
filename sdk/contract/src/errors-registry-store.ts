/**
 * The error codes of the registry's storage: search in SQL and several registry nodes on one database. Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const REGISTRY_STORE_ERROR_CODES = {} as const satisfies Record<string, ErrorSpec>;
