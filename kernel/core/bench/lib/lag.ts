/**
 * Main-thread event-loop lag for bench servers: a 10 ms timer's lateness, collected from the
 * first call, and a `/__stats` answer (lag median and worst in ms, process RSS, and the CPU time
 * in µs and context switches of all threads so far, to take differences of) that starts a new window. lib/app-count.ts reads it.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10;

/** CPU time of the main thread so far in µs, from /proc (10 ms resolution; 0 off Linux). */
function mainThreadCpuUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, in 100 Hz ticks
  } catch {
    return 0;
  }
}

/** Context switches so far of every thread of this process, and of the main thread (Linux; 0 elsewhere). */
function contextSwitches(): { all: number; main: number } {
  const counted = { all: 0, main: 0 };
  try {
    for (const task of readdirSync("/proc/self/task")) {
      const status = readFileSync(`/proc/self/task/${task}/status`, "utf8");
      for (const match of status.matchAll(/ctxt_switches:\s+(\d+)/g)) {
        counted.all += Number(match[1]);
        if (Number(task) === process.pid) counted.main += Number(match[1]);
      }
    }
  } catch {}
  return counted;
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
    const switches = contextSwitches();
    return Response.json({
      lagMedian,
      lagMax: sorted.at(-1) ?? 0,
      rss: process.memoryUsage().rss,
      cpuUs: cpu.user + cpu.system,
      switches: switches.all,
      mainSwitches: switches.main,
      mainCpuUs: mainThreadCpuUs(),
    });
  };
}
