/**
 * A process tree's footprint read from /proc: the pids under a root, their summed resident
 * memory and their task (thread) count. Used where no cgroup counts for us.
 */
import { readdirSync, readFileSync } from "node:fs";

/** What a process tree uses now. */
export interface TreeUsage {
  /** Resident bytes summed over the tree. */
  readonly rss: number;
  /** Tasks (threads) in the tree. */
  readonly tasks: number;
  /** The tree's pids, root first. */
  readonly pids: readonly number[];
}

const EMPTY: TreeUsage = { rss: 0, tasks: 0, pids: [] };
// A bound on the walk, so a tree that forks faster than we read cannot keep us here.
const MAX_PIDS = 4096;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Children of `pid` from /proc/<pid>/task/<tid>/children (every thread can have children). */
function childrenOf(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tids) {
    for (const child of (readText(`/proc/${pid}/task/${tid}/children`) ?? "").split(" ")) {
      if (child.trim()) children.push(Number(child));
    }
  }
  return children;
}

/** VmRSS (bytes) and Threads from /proc/<pid>/status; undefined once the process is gone. */
function statusOf(pid: number): { rss: number; threads: number } | undefined {
  const text = readText(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const rss = Number(/^VmRSS:\s*(\d+) kB$/m.exec(text)?.[1] ?? 0) * 1024;
  const threads = Number(/^Threads:\s*(\d+)$/m.exec(text)?.[1] ?? 1);
  return { rss, threads };
}

/** The footprint of `root` and everything it started; zeros once it is gone. */
export function treeUsage(root: number): TreeUsage {
  const pending = [root];
  const pids: number[] = [];
  let rss = 0;
  let tasks = 0;
  for (let pid = pending.shift(); pid !== undefined && pids.length < MAX_PIDS; pid = pending.shift()) {
    const status = statusOf(pid);
    if (!status) continue;
    pids.push(pid);
    rss += status.rss;
    tasks += status.threads;
    pending.push(...childrenOf(pid));
  }
  return pids.length === 0 ? EMPTY : { rss, tasks, pids };
}
