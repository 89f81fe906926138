/**
 * Starts one sandbox and follows it to its end: user and data folder, cgroup or watchdog, the
 * bwrap command, IPC both ways, and one `onExit` that says whether a limit killed it.
 */
import { BuntimeError } from "@buntime/sdk";
import type { CgroupGroup, CgroupLimiter } from "./cgroup.ts";
import { sandboxCommand } from "./command.ts";
import { prepareDataDir } from "./data-dir.ts";
import type { HostLayout } from "./host.ts";
import { killSandbox } from "./kill.ts";
import { treeUsage } from "./proc-tree.ts";
import { checkSpec } from "./spec-check.ts";
import type { SandboxExit, SandboxedProcess, SandboxSpec } from "./types.ts";
import type { UidPool } from "./uids.ts";
import type { Watchdog } from "./watchdog.ts";

/** What every spawn of one Sandbox shares. */
export interface SpawnContext {
  readonly host: HostLayout;
  /** Present when each sandbox gets a user of its own. */
  readonly uids?: UidPool;
  readonly limiter?: CgroupLimiter;
  readonly watchdog: Watchdog;
}

/** A started sandbox as the Sandbox tracks it: the public face plus a promise of its end. */
export interface TrackedProcess extends SandboxedProcess {
  readonly exited: Promise<void>;
  /** The sandbox's stderr when spawned with `stderr: "pipe"` (the probe reads bwrap's complaints there). */
  readonly stderr?: ReadableStream<Uint8Array>;
}

/**
 * How it ended. bwrap passes an inner death by signal on as exit code 128+n, so a sandbox the
 * kernel or a limit killed is reported as SIGKILL whatever bwrap said.
 */
function exitOf(
  child: { exitCode: number | null; signalCode: unknown },
  killed: boolean,
  limit?: "memory" | "pids",
): SandboxExit {
  const by = limit ? { limit } : {};
  if (killed) return { code: null, signal: "SIGKILL", ...by };
  const signal = child.signalCode === null ? null : String(child.signalCode);
  return { code: child.exitCode, signal, ...by };
}

/** Starts `spec` in a sandbox; throws (changing nothing) when the spec is invalid. */
export function spawnSandboxed(
  spec: SandboxSpec,
  context: SpawnContext,
  stderr: "inherit" | "pipe" = "inherit",
): TrackedProcess {
  checkSpec(spec);
  const uid = context.uids?.allocate(spec.dataDir);
  let group: CgroupGroup | undefined;
  let child: ReturnType<typeof Bun.spawn>;
  try {
    try {
      prepareDataDir(spec.dataDir, uid);
    } catch (error) {
      const details = `dataDir ${spec.dataDir} cannot be prepared: ${(error as Error).message}`;
      throw new BuntimeError(
        "BUNTIME_ERR_POOL_SANDBOX_SPEC_INVALID",
        { name: spec.name, details },
        { cause: error },
      );
    }
    group = context.limiter?.create(spec.name, spec.limits);
    const command = sandboxCommand(spec, { host: context.host, uid, procsFiles: group?.procsFiles ?? [] });
    child = Bun.spawn([...command.argv], {
      env: {},
      stdin: command.stdin,
      stdout: "inherit",
      stderr,
      serialization: "advanced",
      ipc: (message) => spec.onMessage(message),
    });
  } catch (error) {
    if (uid !== undefined) context.uids?.release(uid);
    void group?.remove();
    throw error;
  }
  let exited = false;
  let killed = false;
  let killedFor: "memory" | "pids" | undefined;
  const kill = () => {
    if (exited) return;
    killed = true;
    killSandbox(child.pid, group, () => exited);
  };
  const unwatch = context.watchdog.watch(
    child.pid,
    {
      memory: group ? undefined : spec.limits.memory,
      tasks: group?.limitsPids ? undefined : spec.limits.pids,
    },
    (limit) => {
      killedFor = limit;
      kill();
    },
  );
  const ended = child.exited.then(async () => {
    exited = true;
    unwatch();
    const limit = killedFor ?? (group?.oomKilled() ? "memory" : undefined);
    group?.kill(child.pid); // stragglers, if the pid namespace has not taken them down yet
    await group?.remove();
    if (uid !== undefined) context.uids?.release(uid);
    try {
      spec.onExit(exitOf(child, killed || limit !== undefined, limit));
    } catch (error) {
      console.error(`sandbox ${spec.name}: onExit threw`, error);
    }
  });

  return {
    pid: child.pid,
    exited: ended,
    stderr: child.stderr instanceof ReadableStream ? child.stderr : undefined,
    send(message) {
      if (exited) return;
      try {
        child.send(message);
      } catch {
        // the channel closed as the child died; onExit follows
      }
    },
    kill,
    memory: () => (group ? group.memory() : treeUsage(child.pid).rss),
  };
}
