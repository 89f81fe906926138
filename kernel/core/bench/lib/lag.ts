/**
 * Main-thread event-loop lag for bench servers: a 10 ms timer's lateness, collected from the
 * first call, and a `/__stats` answer (lag median and worst in ms, process RSS, and the CPU time
 * in µs and context switches of all threads so far, to take differences of) that starts a new window. lib/app-count.ts reads it.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10;

/** Context switches of every thread of this process so far (Linux; 0 elsewhere). */
function contextSwitches(): number {
  try {
    let total = 0;
    for (const task of readdirSync("/proc/self/task")) {
      const status = readFileSync(`/proc/self/task/${task}/status`, "utf8");
      for (const match of status.matchAll(/ctxt_switches:\s+(\d+)/g)) total += Number(match[1]);
    }
    return total;
  } catch {
    return 0;
  }
}
let lateness: number[] = [];
let started = false;

/** Starts sampling (once); returns the handler for `/__stats`. */
export function lagStats(): () => Response {
  if (!started) {
    started = true;
    let expected = performance.now() + TICK_MS;
    setInterval(() => {
      const now = performance.now();
      if (lateness.length < 100_000) lateness.push(Math.max(0, now - expected));
      expected = now + TICK_MS;
    }, TICK_MS);
  }
  return () => {
    const sorted = lateness.sort((a, b) => a - b);
    lateness = [];
    const lagMedian = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const cpu = process.cpuUsage();
    return Response.json({
      lagMedian,
      lagMax: sorted.at(-1) ?? 0,
      rss: process.memoryUsage().rss,
      cpuUs: cpu.user + cpu.system,
      switches: contextSwitches(),
    });
  };
}
