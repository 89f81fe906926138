import type { ParseArgsOptionsConfig } from "node:util";
import { loadConfig } from "./load.ts";
import type { ResolvedKernelConfig } from "./schema.ts";

/** The command-line options every way of starting a kernel shares (`buntime start`, `npm start`). */
export const KERNEL_START_OPTIONS = {
  port: { type: "string" },
  hostname: { type: "string" },
  home: { type: "string" },
  config: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

/** What `parseArgs` gave for `KERNEL_START_OPTIONS`. */
export interface KernelStartArgs {
  readonly port?: string;
  readonly hostname?: string;
  readonly home?: string;
  readonly config?: string;
}

/**
 * The kernel's settings for a start from the command line: the settings file (`--config`, else
 * `./buntime.config.json`), then `BUNTIME_*` variables, then the flags, which win.
 */
export function loadStartConfig(args: KernelStartArgs, pluginDirs?: readonly string[]): ResolvedKernelConfig {
  return loadConfig({
    configPath: args.config,
    overrides: {
      port: args.port === undefined ? undefined : Number(args.port),
      hostname: args.hostname,
      home: args.home,
      pluginDirs: pluginDirs === undefined ? undefined : [...pluginDirs],
    },
  });
}
