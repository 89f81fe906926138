/**
 * @buntime/test-kit/system: the rule for tests that need a system server npm does not package
 * (redis-server, chromium): without it a test file is skipped with one line naming the Debian
 * package, except under CI (env `CI` set), where `.ci/run` installs it and a missing one fails.
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { IsolationTier } from "@buntime/sdk";

/** A system tool a test file needs, and the Debian package that installs it. */
export type SystemTool = (
  | {
      /** A command looked up on `PATH`, such as `redis-server`. */
      readonly command: string;
    }
  | {
      /** Or a file at a fixed place, such as `/usr/bin/chromium`. */
      readonly path: string;
    }
) & {
  /** Named in the skip line: `apt-get install <debianPackage>`. */
  readonly debianPackage: string;
};

/**
 * Whether a test file should skip for want of `tool`: true when it is missing, after one
 * console line such as `skipped: needs redis-server (apt-get install redis-server)`. Under CI it
 * is false even then, so the tests run and fail on the missing tool.
 *
 * @example
 * const skip = skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" });
 * const url = skip ? "" : await startRedis();
 * describe.skipIf(skip)("on Redis", () => {});
 */
export function skipWithoutSystemTool(tool: SystemTool): boolean {
  const name = "command" in tool ? tool.command : basename(tool.path);
  const present = "command" in tool ? Bun.which(tool.command) !== null : existsSync(tool.path);
  if (present) return false;
  const line = `needs ${name} (apt-get install ${tool.debianPackage})`;
  if (process.env.CI) {
    console.error(`missing under CI: ${line}`);
    return false;
  }
  console.warn(`skipped: ${line}`);
  return true;
}

/**
 * Whether a test file should skip for want of bubblewrap, which the `process` isolation tier's
 * sandbox needs (the rule of `skipWithoutSystemTool`: a skip line, except under CI).
 */
export function skipWithoutSandbox(): boolean {
  return skipWithoutSystemTool({ command: "bwrap", debianPackage: "bubblewrap" });
}

/**
 * The isolation tiers a suite that holds for both runs in: the process tier only where
 * bubblewrap exists (always under CI).
 *
 * @example
 * describe.each(isolationTiers())("in the %s tier", (tier) => { ... });
 */
export function isolationTiers(): IsolationTier[] {
  return skipWithoutSandbox() ? ["thread"] : ["thread", "process"];
}
