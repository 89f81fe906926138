/** Load generation for benchmarks: servers in their own processes, wrk as the client. */
import { readFileSync } from "node:fs";
import type { Subprocess } from "bun";

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  threads?: number;
}

/** Starts `script` in its own Bun process and resolves with the URL it prints first. */
export async function startServer(script: string): Promise<{ url: string; process: Subprocess }> {
  const child = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const url = new TextDecoder().decode(value).trim().split("\n")[0];
  if (!url?.startsWith("http")) throw new Error(`${script} did not print its URL`);
  return { url, process: child };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export interface LoadResult {
  /** Requests answered per wall-clock second. */
  requestsPerSecond: number;
  /** Server CPU time per request, in microseconds: steadier than req/s on a shared machine. */
  cpuMicrosPerRequest: number;
}

/** Runs wrk against a server process and measures its throughput and CPU cost per request. */
export async function measure(
  server: { url: string; process: Subprocess },
  options: LoadOptions = {},
): Promise<LoadResult> {
  const before = cpuSeconds(server.process.pid);
  const seconds = options.seconds ?? 5;
  const rate = await requestsPerSecond(server.url, options);
  const cpu = cpuSeconds(server.process.pid) - before;
  return { requestsPerSecond: rate, cpuMicrosPerRequest: (cpu * 1e6) / (rate * seconds) };
}

/** Runs wrk against `url` and returns requests per second. */
export async function requestsPerSecond(url: string, options: LoadOptions = {}): Promise<number> {
  const { connections = 50, seconds = 5, threads = 1 } = options;
  const wrk = Bun.spawnSync(["wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, url], {
    timeout: (seconds + 10) * 1000,
  });
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
