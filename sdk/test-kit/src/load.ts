/** Load generation for benchmarks: servers in their own processes, wrk as the client. */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Subprocess } from "bun";

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  threads?: number;
  /** A wrk Lua script (`-s`), e.g. one that rotates over paths. */
  script?: string;
}

/**
 * The baseline server: a bare `Bun.serve` answering `hello` (with `--request-id`, also an
 * `x-request-id` header). Start it with `startServer(RAW_HELLO_SERVER)`.
 */
export const RAW_HELLO_SERVER = fileURLToPath(new URL("./raw-hello-server.ts", import.meta.url));

/**
 * Starts `script` in its own Bun process and resolves with the URL it prints first. `env` is
 * added to this process's environment. Pass it here: Bun 1.4 spawns with the environment the
 * process started with, so a variable set in `process.env` since is not seen by the server.
 */
export async function startServer(
  script: string,
  args: string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<{ url: string; process: Subprocess }> {
  const child = Bun.spawn([process.execPath, script, ...args], {
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, ...env },
  });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const url = new TextDecoder().decode(value).trim().split("\n")[0];
  if (!url?.startsWith("http")) throw new Error(`${script} did not print its URL`);
  return { url, process: child };
}

/** Runs wrk against `url` and returns requests per second. */
export async function requestsPerSecond(url: string, options: LoadOptions = {}): Promise<number> {
  const { connections = 50, seconds = 5, threads = 1, script } = options;
  const withScript = script === undefined ? [] : ["-s", script];
  const wrk = Bun.spawnSync(
    ["wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, ...withScript, url],
    {
      timeout: (seconds + 10) * 1000,
    },
  );
  const output = wrk.stdout.toString();
  const match = output.match(/Requests\/sec:\s+([\d.]+)/);
  if (!match?.[1])
    throw new Error(`wrk gave no figure (is it installed? apt-get install wrk):\n${output}${wrk.stderr}`);
  const errors = output.match(/Non-2xx or 3xx responses: (\d+)/);
  if (errors) throw new Error(`${errors[1]} failed responses from ${url}`);
  return Number(match[1]);
}

/** The median of a list of figures. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `--rounds`, `--seconds` and `--connections` from the command line of a benchmark. */
export function benchArgs(): {
  rounds: number;
  load: Required<Pick<LoadOptions, "seconds" | "connections">>;
} {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "5" },
      connections: { type: "string", default: "50" },
    },
  });
  return {
    rounds: Number(values.rounds),
    load: { seconds: Number(values.seconds), connections: Number(values.connections) },
  };
}
