/**
 * Guards installed in every pool worker before the app's module loads. A Bun worker is a
 * thread of the kernel's process, so some `process` calls act on the whole kernel: `abort()`
 * and `kill(<own pid>)` end it, `chdir()` and `umask(n)` change it for every app. Here they
 * throw a coded error instead. `process.exit()` already ends only the calling worker; it is
 * wrapped only so the pool can say why the worker ended. Writes to `process.env` would stay in
 * the worker's own copy, but they throw too, so an app cannot believe it configured the kernel.
 *
 * This is a guard against accidents, not a boundary: `bun:ffi`, a native addon or a write to
 * `/proc/self/mem` reaches the real process directly. Untrusted code belongs in the process tier.
 */

/** The code of the errors thrown here (documented in docs/errors.md). */
export const THREAD_FORBIDDEN = "BUNTIME_ERR_POOL_THREAD_FORBIDDEN";

/** An app in the thread tier called something that would act on the whole kernel. */
export class ThreadTierError extends Error {
  readonly code = THREAD_FORBIDDEN;
  constructor(call: string, effect: string) {
    // same text as the template in @buntime/sdk's ERROR_CODES, which the worker does not bundle
    super(
      `${THREAD_FORBIDDEN}: ${call} is not allowed in the thread tier: it would ${effect}; run the app in the process tier`,
    );
    this.name = "ThreadTierError";
  }
}

/** Replaces `name` on `target` for good: the app cannot put the original back. */
function seal(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: false, configurable: false, enumerable: true });
}

/** Would `kill(pid)` reach the kernel: its own pid, its process group (0, -pgid) or every process (-1)? */
function hitsKernel(pid: unknown): boolean {
  const n = Number(pid);
  return !Number.isInteger(n) || n <= 0 || n === process.pid;
}

/** An env that can be read like the worker's own but not changed. */
function frozenEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const refuse = (): never => {
    throw new ThreadTierError("changing process.env", "look like configuring the kernel's environment");
  };
  return new Proxy(env, { set: refuse, deleteProperty: refuse, defineProperty: refuse });
}

/**
 * Installs the guards. `onExit(code)` runs before an app's `process.exit(code)` ends the worker.
 * @returns an exit for the worker's own shutdown, which does not call `onExit`.
 */
export function guardProcess(onExit: (code: number) => void): (code: number) => never {
  const realExit = process.exit.bind(process) as (code?: number) => never;
  const proc = process as unknown as { reallyExit(code: number): never };
  const realReallyExit = proc.reallyExit.bind(process);
  const realKill = process.kill.bind(process);
  const realUmask = process.umask.bind(process) as () => number;
  let exiting = false;
  /** Tells the pool once, then lets the exit through (`exit` itself calls `reallyExit`). */
  const noted =
    (end: (code: number) => never) =>
    (code?: number | string | null): never => {
      const n = Number(code ?? process.exitCode ?? 0);
      const status = Number.isInteger(n) ? n : 1;
      if (!exiting) onExit(status);
      exiting = true;
      return end(status);
    };
  seal(process, "exit", noted(realExit));
  seal(process, "reallyExit", noted(realReallyExit));
  seal(process, "abort", () => {
    throw new ThreadTierError("process.abort()", "end the kernel and every app");
  });
  seal(process, "kill", (pid: number, signal?: string | number) => {
    if (hitsKernel(pid))
      throw new ThreadTierError(`process.kill(${String(pid)})`, "signal the kernel itself");
    return realKill(pid, signal);
  });
  seal(process, "chdir", () => {
    throw new ThreadTierError("process.chdir()", "change the working directory of the kernel and every app");
  });
  seal(process, "umask", (mask?: number | string) => {
    if (mask === undefined) return realUmask();
    throw new ThreadTierError("process.umask(mask)", "change the file mode mask of the kernel and every app");
  });
  // `Bun.env` cannot be redefined (Bun makes it read-only); writes to it stay in the worker's copy
  seal(process, "env", frozenEnv(process.env));
  return (code) => {
    exiting = true;
    return realExit(code);
  };
}
