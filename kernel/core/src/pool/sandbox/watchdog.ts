/**
 * The RSS watchdog: where no cgroup limits a sandbox, one timer samples each watched process
 * tree every `interval` ms and reports a tree past its memory (or task) limit, which the
 * sandbox then kills. A tree can overshoot by what it allocates within one interval;
 * docs/sandbox.md gives the numbers.
 */
import { treeUsage } from "./proc-tree.ts";

/** What to hold one tree to; undefined fields are not checked. */
export interface WatchLimits {
  readonly memory?: number;
  readonly tasks?: number;
}

interface Watched {
  readonly limits: WatchLimits;
  readonly onBreach: (limit: "memory" | "pids") => void;
}

/** One timer for every watched tree. */
export class Watchdog {
  readonly #interval: number;
  readonly #watched = new Map<number, Watched>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(interval: number) {
    this.#interval = interval;
  }

  /** Watches the tree under `pid` until the returned function is called; `onBreach` runs once. */
  watch(pid: number, limits: WatchLimits, onBreach: (limit: "memory" | "pids") => void): () => void {
    if (limits.memory === undefined && limits.tasks === undefined) return () => {};
    this.#watched.set(pid, { limits, onBreach });
    this.#timer ??= setInterval(() => this.#sample(), this.#interval);
    return () => this.#unwatch(pid);
  }

  #unwatch(pid: number): void {
    this.#watched.delete(pid);
    if (this.#watched.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #sample(): void {
    for (const [pid, { limits, onBreach }] of this.#watched) {
      const usage = treeUsage(pid);
      const limit =
        limits.memory !== undefined && usage.rss > limits.memory
          ? "memory"
          : limits.tasks !== undefined && usage.tasks > limits.tasks
            ? "pids"
            : undefined;
      if (!limit) continue;
      this.#unwatch(pid);
      onBreach(limit);
    }
  }
}
