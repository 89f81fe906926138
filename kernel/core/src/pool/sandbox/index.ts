/**
 * The OS sandbox the `process` isolation tier runs children in: bubblewrap namespaces (own
 * mounts, pids, network, IPC, UTS), a dedicated uid per sandbox when the kernel may switch
 * users, and memory/pids/CPU limits by cgroup or, failing that, a kernel-side RSS watchdog.
 * `createSandbox` proves it works by starting one first and refuses otherwise. See docs/sandbox.md.
 */
import { BuntimeError } from "@buntime/sdk";
import { type CgroupLimiter, createCgroupLimiter } from "./cgroup.ts";
import { canSwitchUser, findHostLayout } from "./host.ts";
import { INSTALL_FIX, probeSandbox, unavailable } from "./probe.ts";
import { type SpawnContext, spawnSandboxed, type TrackedProcess } from "./spawn.ts";
import type { Sandbox, SandboxOptions } from "./types.ts";
import { DEFAULT_CLAIM_DIR, DEFAULT_UID_RANGE, UidPool } from "./uids.ts";
import { Watchdog } from "./watchdog.ts";

export type {
  Sandbox,
  SandboxExit,
  SandboxedProcess,
  SandboxLimits,
  SandboxOptions,
  SandboxSpec,
} from "./types.ts";

const DEFAULT_WATCHDOG_INTERVAL_MS = 100;

/** The uid pool, or the refusal when its claim folder cannot be made (a bad range throws its own error). */
function makeUidPool(range: readonly [number, number]): UidPool {
  try {
    return new UidPool(range);
  } catch (error) {
    if (error instanceof BuntimeError) throw error;
    throw unavailable(
      `cannot keep uid claims in ${DEFAULT_CLAIM_DIR} (${(error as Error).message})`,
      "let the kernel write /run",
    );
  }
}

/** Probes with the cgroup limiter, and again without it if only the cgroup join failed. */
async function probeWithLimiter(context: SpawnContext): Promise<CgroupLimiter | undefined> {
  if (!context.limiter) {
    await probeSandbox(context);
    return undefined;
  }
  try {
    await probeSandbox(context);
    return context.limiter;
  } catch {
    await context.limiter.close();
    await probeSandbox({ ...context, limiter: undefined });
    return undefined;
  }
}

/**
 * Finds bwrap (and setpriv/prlimit when the kernel may switch users), picks the limiter and
 * starts one trivial sandbox. Throws BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE, naming the reason and
 * the fix, when any of that fails.
 *
 * @example
 * const sandbox = await createSandbox();
 * const child = sandbox.spawn({ name: "todo@1.2.0#1", appDir, dataDir, runtimeDir,
 *   argv: ["/buntime/process-entry.js"], env: { NODE_ENV: "production" },
 *   limits: { memory: 128 * 2 ** 20, pids: 64, cpu: 0.5 },
 *   onMessage: (message) => {}, onExit: (exit) => {} });
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const dedicated = canSwitchUser();
  const host = findHostLayout(options.bwrap, dedicated);
  if (typeof host === "string")
    throw unavailable(host, host.startsWith("bwrap") ? INSTALL_FIX : "install util-linux");
  const uids = dedicated ? makeUidPool(options.uidRange ?? DEFAULT_UID_RANGE) : undefined;
  const watchdog = new Watchdog(options.watchdogInterval ?? DEFAULT_WATCHDOG_INTERVAL_MS);
  const limiter = await probeWithLimiter({
    host,
    uids,
    watchdog,
    limiter: createCgroupLimiter(options.cgroupRoot),
  });
  const context: SpawnContext = { host, uids, watchdog, limiter };
  const live = new Set<TrackedProcess>();
  let closed = false;
  return {
    user: dedicated ? "dedicated" : "kernel",
    limiter: limiter?.kind ?? "watchdog",
    spawn(spec) {
      if (closed) throw unavailable("the sandbox is closed", "create a new one with createSandbox()");
      const child = spawnSandboxed(spec, context);
      live.add(child);
      void child.exited.then(() => live.delete(child));
      return child;
    },
    async close() {
      closed = true;
      for (const child of live) child.kill();
      await Promise.all([...live].map((child) => child.exited));
      await limiter?.close();
    },
  };
}
