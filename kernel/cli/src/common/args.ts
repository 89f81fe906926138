import { type ParseArgsConfig, parseArgs } from "node:util";
import { BuntimeError } from "@buntime/sdk";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/** Options of the commands that act on a home and a registry. */
export const HOME_OPTIONS = {
  home: { type: "string" },
  config: { type: "string" },
  registry: { type: "string" },
} as const satisfies Options;

/**
 * Parses a command's arguments strictly; an unknown flag or a missing value is
 * `BUNTIME_ERR_CLI_USAGE` (exit code 2).
 */
export function parseCommand<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_CLI_USAGE",
      { details: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
  }
}

/** Throws `BUNTIME_ERR_CLI_USAGE` with `details`. */
export function usage(details: string): never {
  throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", { details });
}
