import { type BuntimeError, isBuntimeError } from "@buntime/sdk";
import { HINTS, REGISTRY_HINTS } from "./hints.ts";

/** Where a command writes: human text on stdout and progress on stderr, or one JSON document. */
export interface Output {
  readonly json: boolean;
  /** The command's result: `data` as JSON with --json, else the `human` text. */
  result(data: unknown, human: string): void;
  /** A progress or status line on stderr (human mode only). */
  note(line: string): void;
  /** A progress bar for a download, redrawn in place on a terminal. */
  progress(label: string, received: number, total: number | undefined): void;
}

/** ANSI styles the CLI uses on stderr. */
const STYLES = { red: "31", yellow: "33", dim: "2", bold: "1" } as const;

/**
 * Whether stderr gets colour: only on a terminal, and never when `NO_COLOR` is set to anything
 * but the empty string (https://no-color.org), so logs and pipes get plain text.
 */
export function colourOn(stream: { isTTY?: boolean } = process.stderr, env = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** `text` in `style` when stderr gets colour, else as it is. */
export function paint(text: string, style: keyof typeof STYLES): string {
  return colourOn() ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
}

/** A `warning:` line on stderr (yellow on a terminal). */
export function warn(line: string): void {
  process.stderr.write(`${paint("warning:", "yellow")} ${line}\n`);
}

/** Creates the output of one command run. */
export function createOutput(json: boolean): Output {
  const tty = process.stderr.isTTY === true;
  let lastDrawn = "";
  return {
    json,
    result(data, human) {
      process.stdout.write(
        json ? `${JSON.stringify(data, null, 2)}\n` : human.endsWith("\n") ? human : `${human}\n`,
      );
    },
    note(line) {
      if (!json) process.stderr.write(`${line}\n`);
    },
    progress(label, received, total) {
      if (json) return;
      const done = total !== undefined && received >= total;
      const width = 20;
      const filled = total ? Math.min(width, Math.round((received / total) * width)) : width;
      const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
      const line = `${label} ${bar} ${(received / 1024).toFixed(1)} KiB`;
      if (tty) process.stderr.write(`\r${line}${done ? "\n" : ""}`);
      else if (done && line !== lastDrawn) process.stderr.write(`${line}\n`);
      lastDrawn = line;
    },
  };
}

/** An error with the CLI's hint attached, for a failure that knows better than the code's hint. */
export function withHint<T extends Error>(error: T, hint: string): T {
  (error as T & { hint?: string }).hint = hint;
  return error;
}

/**
 * Reports a failure: one line with the cause and code, one with a hint, on stderr; or
 * `{ error: { code, message, hint } }` on stdout with --json. Answers the exit code.
 */
export function reportFailure(command: string, error: unknown, json: boolean): number {
  const coded = isBuntimeError(error) ? (error as BuntimeError) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const registryCode = coded?.params.registryCode;
  const hint =
    (error as { hint?: string } | undefined)?.hint ??
    (typeof registryCode === "string" ? REGISTRY_HINTS[registryCode] : undefined) ??
    (coded ? HINTS[coded.code] : undefined);
  const exitCode = coded?.code === "BUNTIME_ERR_CLI_USAGE" ? 2 : 1;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: coded?.code ?? null, message, hint } }, null, 2)}\n`,
    );
  } else {
    const line = `buntime ${command}: ${message}${coded ? ` [${coded.code}]` : ""}`;
    process.stderr.write(`${paint(line, "red")}\n`);
    if (hint) process.stderr.write(`  ${paint("hint:", "dim")} ${hint}\n`);
  }
  return exitCode;
}

/**
 * Runs a command body with its output and turns any failure into the reported exit code.
 * `--help` prints `help` and exits 0 before the body runs.
 */
export async function runCommand(
  command: string,
  flags: { json?: boolean; help?: boolean },
  help: string,
  body: (out: Output) => Promise<number | undefined>,
): Promise<number> {
  const out = createOutput(flags.json === true);
  if (flags.help) {
    process.stdout.write(help);
    return 0;
  }
  try {
    return (await body(out)) ?? 0;
  } catch (error) {
    return reportFailure(command, error, out.json);
  }
}
