/**
 * wrk runs with latency and the Lua scripts the benches share (a rotation over apps, a POST of
 * N bytes). Throughput alone without latency: `requestsPerSecond` in @buntime/test-kit/load.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One wrk run: requests per second (and in all), latency percentiles in ms, and non-2xx answers. */
export interface WrkResult {
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  failed: number;
}

/** wrk's `50%  1.23ms` line in milliseconds (NaN when absent). */
function parseLatency(text: string, label: string): number {
  const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

/** Runs wrk (one thread) against `url` for `seconds` with `connections`, optionally a Lua `script`. */
export async function wrk(
  url: string,
  options: { connections: number; seconds: number; script?: string },
): Promise<WrkResult> {
  const { connections, seconds, script } = options;
  const args = ["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "--timeout", "10s"];
  const child = Bun.spawn([...args, ...(script ? ["-s", script] : []), url], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const text = await new Response(child.stdout).text();
  await child.exited;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? Number.NaN);
  if (!Number.isFinite(rps)) throw new Error(`wrk gave no figure (apt-get install wrk?):\n${text}`);
  const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? Number.NaN);
  return { rps, requests, p50: parseLatency(text, "50"), p99: parseLatency(text, "99"), failed };
}

/** Writes `source` to a fresh temporary `.lua` file and returns its path. */
function luaFile(source: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "buntime-wrk-")), "script.lua");
  writeFileSync(file, source);
  return file;
}

/** A wrk script that walks `/a0/` … `/a<count-1>/` in turn, per connection. */
export function rotationScript(count: number): string {
  return luaFile(
    `local n = 0\nrequest = function()\n  n = (n + 1) % ${count}\n  return wrk.format("GET", "/a" .. n .. "/")\nend\n`,
  );
}

/** A wrk script that POSTs `bytes` bytes of `x` with every request. */
export function postScript(bytes: number): string {
  return luaFile(
    `wrk.method = "POST"\nwrk.body = string.rep("x", ${bytes})\nwrk.headers["Content-Type"] = "application/octet-stream"\n`,
  );
}
