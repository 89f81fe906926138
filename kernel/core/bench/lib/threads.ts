/**
 * CPU time of a server's threads by kind, from /proc/<pid>/task/<tid>/schedstat (nanoseconds:
 * stat's 10 ms ticks round a cold worker's share away). Linux only.
 */
import { readdirSync, readFileSync } from "node:fs";

/** One thread's CPU time so far, ns, and its kind. */
interface ThreadCpu {
  /**
   * `main` for the process's own thread, else the thread's name without its trailing number
   * (Bun's app threads are `Worker`; JavaScriptCore's compilers `JITWorker`, its collector's
   * helpers `HeapHelper`; mimalloc's `mi-scavenger` returns freed pages to the system).
   */
  kind: string;
  ns: number;
}

/** The CPU time so far of each live thread of process `pid`, by thread id. */
export function threadCpu(pid: number): Map<string, ThreadCpu> {
  const threads = new Map<string, ThreadCpu>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      threads.set(tid, { kind: tid === String(pid) ? "main" : name.replace(/[\s\d]+$/, ""), ns });
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return threads;
}

/**
 * What each kind of thread spent between two readings, µs per request over `requests`. A thread
 * that started in between counts from zero; one that ended in between is not seen (JavaScriptCore
 * starts and ends its compiler threads as it needs them), so a kind's figure is a lower bound.
 */
export function perRequestUs(
  before: Map<string, ThreadCpu>,
  after: Map<string, ThreadCpu>,
  requests: number,
): Map<string, number> {
  const spent = new Map<string, number>();
  for (const [tid, { kind, ns }] of after) {
    const us = (ns - (before.get(tid)?.ns ?? 0)) / requests / 1000;
    spent.set(kind, (spent.get(kind) ?? 0) + us);
  }
  return spent;
}

/** The whole process's share of `perRequestUs`: every kind of thread together. */
export function allThreadsUs(spent: Map<string, number>): number {
  let total = 0;
  for (const us of spent.values()) total += us;
  return total;
}
