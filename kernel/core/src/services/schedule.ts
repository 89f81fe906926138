/**
 * `kernel:schedule`: jobs on wall-clock ticks. Each job arms one timer for its next tick
 * boundary; at the boundary it asks its claims whether to run (a local job: this process's;
 * a global job: the cluster's PostgreSQL when there is one). Each plugin gets its own view, and
 * the jobs of a view stop when the plugin unloads.
 */
import { hostname } from "node:os";
import {
  BuntimeError,
  durationSchema,
  formatZodIssues,
  type KernelSchedule,
  type Logger,
  type ScheduledJob,
  type ScheduleHandle,
} from "@buntime/sdk";
import { z } from "zod";
import { postgresClaims, processClaims, type TickClaims } from "./schedule-claims.ts";

/** The shortest period: shorter ticks would spend more on claims than on work. */
export const MIN_EVERY_MS = 100;
/** The longest period a timer can wait for (setTimeout's limit, about 24.8 days). */
export const MAX_EVERY_MS = 2_147_483_647;

const jobSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, { message: "expected 1-100 letters, digits, '.', '_' or '-'" }),
  every: durationSchema.pipe(
    z
      .number()
      .min(MIN_EVERY_MS, { message: `expected at least ${MIN_EVERY_MS} ms` })
      .max(MAX_EVERY_MS, { message: `expected at most ${MAX_EVERY_MS} ms` }),
  ),
  scope: z.enum(["global", "local"], { message: 'expected "global" or "local"' }),
  run: z.custom<ScheduledJob["run"]>((value) => typeof value === "function", {
    message: "expected a function",
  }),
});

/** Where the scheduler runs: which node, and the cluster's PostgreSQL when there is one. */
export interface SchedulerOptions {
  readonly logger: Logger;
  /** The cluster settings (`cluster.node`, `cluster.postgres`); without them, every job runs in process. */
  readonly cluster?: { readonly node: string; readonly postgres: string };
}

/** The kernel's scheduler: a view per plugin, and the claims the views share. */
export interface Scheduler {
  /** The view of `plugin` (its jobs are named `<plugin>/<id>` across the cluster). */
  viewFor(plugin: string): KernelSchedule & { stopAll(): Promise<void> };
  /** Stops every job and releases the claims' connections. */
  close(): Promise<void>;
}

/** Milliseconds from `now` to the start of tick `tick`. */
const delayUntil = (tick: number, every: number, now: number) => Math.max(0, tick * every - now);

/**
 * Creates the scheduler. The PostgreSQL connection is opened on the first global job's first
 * tick and closed when the last global job stops, so a node without global jobs holds none.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const node = options.cluster?.node ?? hostname();
  const local = processClaims();
  let shared: TickClaims | undefined;
  let globalJobs = 0;
  const views = new Set<{ stopAll(): Promise<void> }>();
  const claimsFor = (scope: ScheduledJob["scope"]): TickClaims => {
    if (scope === "local" || !options.cluster) return local;
    shared ??= postgresClaims(options.cluster.postgres, node);
    return shared;
  };
  const releaseGlobal = async () => {
    globalJobs--;
    if (globalJobs > 0 || !shared) return;
    const closing = shared;
    shared = undefined;
    await closing.close();
  };

  function start(plugin: string, job: z.output<typeof jobSchema>, onStop: () => void): ScheduleHandle {
    const name = `${plugin}/${job.id}`;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // every claim still going: a tick skipped while a long run goes must not hide that run from stop()
    const inFlight = new Set<Promise<unknown>>();
    let stopped: Promise<void> | undefined;
    if (job.scope === "global") globalJobs++;
    const fire = (due: number) => {
      if (controller.signal.aborted) return;
      // a node that wakes late serves the tick that is current, never the ones it slept through
      const tick = Math.max(due, Math.floor(Date.now() / job.every));
      const run = () =>
        Promise.resolve(
          job.run({ tick, scheduledAt: tick * job.every, node, signal: controller.signal }),
        ).then(() => undefined);
      const claim = claimsFor(job.scope)
        .claim(name, tick * job.every, run)
        .catch((error) => options.logger.warn(`${plugin}: job ${job.id} tick ${tick} failed`, { error }))
        .finally(() => inFlight.delete(claim));
      inFlight.add(claim);
      arm(tick + 1);
    };
    const arm = (tick: number) => {
      timer = setTimeout(() => fire(tick), delayUntil(tick, job.every, Date.now()));
      // a job never keeps a process alive on its own: the server (or the test) does
      timer.unref?.();
    };
    arm(Math.floor(Date.now() / job.every) + 1);
    return {
      stop() {
        stopped ??= (async () => {
          clearTimeout(timer);
          controller.abort();
          onStop();
          await Promise.all(inFlight);
          if (job.scope === "global") await releaseGlobal();
        })();
        return stopped;
      },
    };
  }

  return {
    viewFor(plugin) {
      const jobs = new Map<string, ScheduleHandle>();
      let released = false;
      const view = {
        schedule(input: ScheduledJob): ScheduleHandle {
          const parsed = jobSchema.safeParse(input);
          if (!parsed.success) {
            throw new BuntimeError("BUNTIME_ERR_SCHEDULE_JOB_INVALID", {
              plugin,
              job: typeof input?.id === "string" ? input.id : "(no id)",
              details: formatZodIssues(parsed.error, "job"),
            });
          }
          const { id } = parsed.data;
          // a job started from onShutdown would outlive its plugin
          if (released) {
            throw new BuntimeError("BUNTIME_ERR_SCHEDULE_JOB_INVALID", {
              plugin,
              job: id,
              details: "the plugin has unloaded; its jobs are stopped",
            });
          }
          if (jobs.has(id)) throw new BuntimeError("BUNTIME_ERR_SCHEDULE_JOB_DUPLICATE", { plugin, job: id });
          const handle = start(plugin, parsed.data, () => jobs.delete(id));
          jobs.set(id, handle);
          return handle;
        },
        async stopAll() {
          released = true;
          await Promise.all([...jobs.values()].map((handle) => handle.stop()));
          views.delete(view);
        },
      };
      views.add(view);
      return view;
    },
    async close() {
      await Promise.all([...views].map((view) => view.stopAll()));
      await shared?.close();
      await local.close();
    },
  };
}
