/**
 * The error codes of the `buntime` command line itself: how it finds a home, a token and Bun.
 * Kept apart from errors.ts (which spreads them into the one registry, `ERROR_CODES`) so each
 * file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const CLI_ERROR_CODES = {
  BUNTIME_ERR_CLI_NPMRC_ENV: {
    status: 400,
    message:
      "{source} line {line}: the token for {registry} uses the environment variable {variable}, which is not set",
  },
  BUNTIME_ERR_CLI_NO_BUN: { status: 500, message: "cannot run Bun ({bun}): {reason}" },
  BUNTIME_ERR_CLI_NO_HOME: { status: 404, message: "no Buntime home at {home} ({details})" },
  BUNTIME_ERR_CLI_PLUGIN_BUNDLED: {
    status: 409,
    message:
      "{plugin} is bundled: the kernel at {url} loads it from a plugin folder of its distribution, it is not installed in {home}",
  },
} as const satisfies Record<string, ErrorSpec>;
