/**
 * The `kernel:schedule` service contract: jobs a plugin runs on a fixed period. Ticks are aligned
 * to the wall clock (tick `n` of a job every `every` ms starts at `n * every` ms since the epoch),
 * so every node of a cluster agrees on them. A `global` job runs each tick on exactly one node of
 * the cluster (PostgreSQL advisory locks and a recorded tick); a `local` job runs each tick on
 * every node. Without a cluster both run in the one process. A job stops when it is stopped or
 * when its plugin unloads.
 */

/** Where a job runs: once per tick across the cluster, or once per tick on every node. */
export type ScheduleScope = "global" | "local";

/** What a run is told about the tick it serves. */
export interface ScheduledTick {
  /** The tick number: `floor(scheduled time / every)`. */
  readonly tick: number;
  /** When the tick was due, in ms since the epoch (`tick * every`). */
  readonly scheduledAt: number;
  /** The node that runs it (the cluster's `node` setting; the host name without a cluster). */
  readonly node: string;
  /** Aborted when the job stops or its plugin unloads while this run is still going. */
  readonly signal: AbortSignal;
}

/** A job for `schedule`. */
export interface ScheduledJob {
  /** Names the job within its plugin (letters, digits, `.`, `_`, `-`; at most 100 characters). */
  readonly id: string;
  /** The period: milliseconds (at least 100) or a duration such as `"30s"` or `"5m"`. */
  readonly every: number | string;
  /** `global`: one node runs each tick; `local`: every node runs each tick. */
  readonly scope: ScheduleScope;
  /**
   * The work of one tick. A run still going when the next tick is due makes that node skip the
   * tick (a global job's next tick then goes to another node, or is skipped). A run that throws
   * is logged; the job carries on.
   */
  run(tick: ScheduledTick): void | Promise<void>;
}

/** A job that `schedule` accepted. */
export interface ScheduleHandle {
  /** Stops the job: no new tick starts, a run in progress is aborted and awaited. */
  stop(): Promise<void>;
}

/**
 * The `kernel:schedule` service.
 *
 * @example
 * const jobs = ctx.services.get("kernel:schedule");
 * jobs.schedule({ id: "sweep", every: "1m", scope: "global", run: () => sweepExpired() });
 * // the job stops with the plugin; or keep the handle and call stop()
 */
export interface KernelSchedule {
  /**
   * Starts `job`; throws `BUNTIME_ERR_SCHEDULE_JOB_INVALID` for a bad id, period or scope, and
   * `BUNTIME_ERR_SCHEDULE_JOB_DUPLICATE` when the plugin runs a job with that id already.
   */
  schedule(job: ScheduledJob): ScheduleHandle;
}
