/**
 * The error codes of the kernel's scheduling service (jobs that run once per tick across nodes). Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const SCHEDULE_ERROR_CODES = {
  BUNTIME_ERR_SCHEDULE_JOB_INVALID: { status: 400, message: "{plugin}: job {job}: {details}" },
  BUNTIME_ERR_SCHEDULE_JOB_DUPLICATE: {
    status: 409,
    message: "{plugin} runs a job {job} already; stop it first or pick another id",
  },
} as const satisfies Record<string, ErrorSpec>;
