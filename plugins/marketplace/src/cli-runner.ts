/**
 * Runs the `buntime` CLI, the one implementation of install, upgrade, rollback and remove: the
 * marketplace is only its second front end. Its stderr lines are the progress (and, on a
 * failure, the error in the CLI's own words); its stdout is the result.
 */
import { basename } from "node:path";
import { BuntimeError } from "@buntime/sdk";

/** How a CLI run ended. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command that runs the CLI: the configured one, the one that started this kernel, or `buntime` on PATH. */
export function cliCommand(configured: readonly string[] | undefined): string[] {
  if (configured) return [...configured];
  const script = process.argv[1];
  if (script && /^buntime(\.ts|\.js)?$/.test(basename(script))) return [process.execPath, script];
  const onPath = Bun.which("buntime");
  if (onPath) return [onPath];
  throw new BuntimeError("BUNTIME_ERR_MARKETPLACE_NO_CLI", {
    details: "this kernel was not started by the buntime CLI and there is no buntime on PATH",
  });
}

/** Runs `command ...args`, calling `onLine` for each stderr line as it comes; stopped after `timeoutMs`. */
export async function runCli(
  command: readonly string[],
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs: number; onLine?: (line: string) => void },
): Promise<CliOutcome> {
  const child = Bun.spawn([...command, ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...options.env },
  });
  // SIGTERM first: the CLI then undoes what it changed; SIGKILL only if it does not stop
  const stop = setTimeout(() => {
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  }, options.timeoutMs);
  const readErr = async () => {
    let text = "";
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      const part = decoder.decode(chunk, { stream: true });
      text += part;
      pending += part;
      const lines = pending.split(/\r|\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) options.onLine?.(line);
    }
    if (pending.trim()) options.onLine?.(pending);
    return text;
  };
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    readErr(),
    child.exited,
  ]);
  clearTimeout(stop);
  return { code, stdout, stderr };
}

/** The CLI's failure, as it printed it: the message line (code in brackets) and its hint. */
export function cliFailure(stderr: string): { message: string; code?: string; hint?: string } {
  const lines = stderr.split("\n");
  const index = lines.findLastIndex((line) => line.startsWith("buntime "));
  const message = (index === -1 ? lines.filter(Boolean).at(-1) : lines[index]) ?? "the CLI failed";
  const code = /\[(BUNTIME_ERR_[A-Z0-9_]+)\]\s*$/.exec(message)?.[1];
  const hintLine = index === -1 ? undefined : lines[index + 1];
  const hint = hintLine?.startsWith("  hint: ") ? hintLine.slice(8) : undefined;
  return { message, ...(code ? { code } : {}), ...(hint ? { hint } : {}) };
}
