/**
 * The error codes of distributions' apps and seeding (the older distro codes live in errors.ts). Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const DISTRO_ERROR_CODES = {
  BUNTIME_ERR_DISTRO_APP_NEEDS_ENV: {
    status: 400,
    message: "app {app} needs env {names}: set {variables} when starting the distribution",
  },
  BUNTIME_ERR_DISTRO_IMAGE_FAILED: { status: 500, message: "could not build the image {image}: {details}" },
} as const satisfies Record<string, ErrorSpec>;
