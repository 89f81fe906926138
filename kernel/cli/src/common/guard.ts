import { reportFailure } from "./output.ts";

/**
 * Wraps a command so that a failure before its body runs (a bad flag while parsing) is
 * reported like any other: cause, code and hint, exit code 2 for usage errors.
 */
export function guardCommand(
  label: string,
  command: (args: string[]) => Promise<number>,
): (args: string[]) => Promise<number> {
  return async (args) => {
    try {
      return await command(args);
    } catch (error) {
      return reportFailure(label, error, args.includes("--json"));
    }
  };
}

/**
 * A command whose module `load` imports only when it runs, so one command does not pay for
 * loading every other (`buntime distro start` loads no registry server, packer or builder).
 */
export function lazyCommand(
  load: () => Promise<(args: string[]) => Promise<number>>,
): (args: string[]) => Promise<number> {
  return async (args) => (await load())(args);
}
