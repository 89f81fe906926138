/**
 * Killing a sandbox so that nothing is left, not even a zombie: everything inside first, so the
 * outer bwrap (the process the kernel spawned) reaps its child and exits by itself. Killing the
 * outer bwrap first would orphan the sandbox's init to the host's pid 1, which in a container
 * may never reap it.
 */
import type { CgroupGroup } from "./cgroup.ts";
import { treeUsage } from "./proc-tree.ts";

// If the outer bwrap has not gone this long after its insides, it is killed too.
const OUTER_GRACE_MS = 500;

function sigkill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}

/** SIGKILLs the sandbox under `outer`; `isDone` tells the late fallback whether the outer one exited. */
export function killSandbox(outer: number, group: CgroupGroup | undefined, isDone: () => boolean): void {
  const inside = treeUsage(outer).pids.slice(1);
  for (const pid of inside) sigkill(pid);
  group?.kill(outer);
  if (inside.length === 0) {
    sigkill(outer); // still setting up: nothing inside to reap yet
    return;
  }
  setTimeout(() => {
    if (!isDone()) sigkill(outer);
  }, OUTER_GRACE_MS).unref();
}
