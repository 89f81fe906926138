/**
 * The standard `process_*` metrics every Prometheus client library exports (names and units as
 * https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics gives them), so
 * dashboards made for any exporter work: CPU seconds, resident and virtual memory, start time,
 * and open and maximum file descriptors (these three from /proc, so on Linux only).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Exposition } from "./exposition.ts";

/** The process's start, in seconds since the epoch: it does not move, so it is read once. */
const START_TIME_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

/** A /proc figure, or undefined where /proc is not (macOS) or says no. */
function fromProc<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function openFds(): number | undefined {
  return fromProc(() => readdirSync("/proc/self/fd").length);
}

function maxFds(): number | undefined {
  return fromProc(() => {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((row) => row.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  });
}

function virtualMemoryBytes(): number | undefined {
  return fromProc(() => {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // fields after the command name, which is in parentheses and may hold spaces
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[20]); // vsize, field 23 of the whole line
  });
}

/** Writes the standard process metrics, and the JS heap of the kernel's main thread. */
export function writeProcessMetrics(out: Exposition): void {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  out
    .metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
    .sample("process_cpu_seconds_total", (cpu.user + cpu.system) / 1e6)
    .metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
    .sample("process_resident_memory_bytes", memory.rss)
    .metric("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
    .sample("process_start_time_seconds", START_TIME_SECONDS);
  const optional: [string, string, number | undefined][] = [
    ["process_virtual_memory_bytes", "Virtual memory size in bytes.", virtualMemoryBytes()],
    ["process_open_fds", "Number of open file descriptors.", openFds()],
    ["process_max_fds", "Maximum number of open file descriptors.", maxFds()],
  ];
  for (const [name, help, value] of optional) {
    if (value !== undefined && Number.isFinite(value)) out.metric(name, "gauge", help).sample(name, value);
  }
  out
    .metric("buntime_process_heap_used_bytes", "gauge", "JS heap used in the kernel's main thread, in bytes.")
    .sample("buntime_process_heap_used_bytes", memory.heapUsed);
}
