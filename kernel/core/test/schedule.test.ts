import { describe, expect, it, setDefaultTimeout } from "bun:test";
import { BuntimeError, definePlugin, type KernelSchedule, type ScheduledTick } from "@buntime/sdk";
import { inlinePlugin, startTestKernel } from "./support/kernel-fixture.ts";

const EVERY = 150;
// a kernel starts in well under a second, but not on a machine shared by eight test runs
setDefaultTimeout(20_000);

/** A kernel with one plugin `jobs` that consumes kernel:schedule; returns the plugin's view. */
async function scheduleIn() {
  let schedule: KernelSchedule | undefined;
  const { kernel } = await startTestKernel({
    plugins: [
      inlinePlugin(
        "jobs",
        { consumes: ["kernel:schedule"] },
        definePlugin({
          setup(ctx) {
            schedule = ctx.services.get("kernel:schedule");
          },
        }),
      ),
    ],
  });
  return { kernel, schedule: schedule as KernelSchedule };
}

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof BuntimeError ? `${error.code}: ${error.message}` : String(error);
  }
  return "no error";
};

describe("kernel:schedule on one kernel", () => {
  it("runs a job once per wall-clock tick, with the tick's number and due time", async () => {
    const { schedule } = await scheduleIn();
    const ticks: ScheduledTick[] = [];
    const handle = schedule.schedule({
      id: "count",
      every: EVERY,
      scope: "global",
      run: (t) => void ticks.push(t),
    });
    await Bun.sleep(EVERY * 5 + 50);
    await handle.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(6);
    for (const [index, tick] of ticks.entries()) {
      expect(tick.scheduledAt).toBe(tick.tick * EVERY);
      // later each time; a tick the timer fired too late for is skipped, never served twice
      if (index > 0) expect(tick.tick).toBeGreaterThan((ticks[index - 1] as ScheduledTick).tick);
    }
    const after = ticks.length;
    await Bun.sleep(EVERY * 2);
    expect(ticks.length).toBe(after); // stopped: no more ticks
  });

  it("skips a tick while the previous run still goes, and never runs a tick twice", async () => {
    const { schedule } = await scheduleIn();
    const ran: number[] = [];
    const handle = schedule.schedule({
      id: "slow",
      every: EVERY,
      scope: "local",
      run: async ({ tick }) => {
        ran.push(tick);
        await Bun.sleep(EVERY * 2.5);
      },
    });
    await Bun.sleep(EVERY * 8);
    await handle.stop();
    expect(new Set(ran).size).toBe(ran.length);
    expect(ran.length).toBeGreaterThanOrEqual(2);
    expect(ran.length).toBeLessThanOrEqual(4); // 8 ticks passed; each run covers three
  });

  it("stops a plugin's jobs when the plugin unloads, aborting a run in progress", async () => {
    const { kernel, schedule } = await scheduleIn();
    let runs = 0;
    let aborted = false;
    schedule.schedule({
      id: "long",
      every: EVERY,
      scope: "local",
      run: async ({ signal }) => {
        runs++;
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
        aborted = signal.aborted;
      },
    });
    await Bun.sleep(EVERY * 2);
    expect(runs).toBe(1);
    await kernel.unload("jobs");
    expect(aborted).toBe(true);
    await Bun.sleep(EVERY * 2);
    expect(runs).toBe(1);
    // a view kept past the unload starts nothing that would outlive the plugin
    expect(codeOf(() => schedule.schedule({ id: "late", every: EVERY, scope: "local", run: () => {} }))).toBe(
      "BUNTIME_ERR_SCHEDULE_JOB_INVALID: jobs: job late: the plugin has unloaded; its jobs are stopped",
    );
  });

  it("runs a job that comes back with a longer period (ticks compare by due time, not number)", async () => {
    const { schedule } = await scheduleIn();
    const recorder = () => {
      const ran: number[] = [];
      return { ran, run: ({ scheduledAt }: ScheduledTick) => void ran.push(scheduledAt) };
    };
    const before = recorder();
    const first = schedule.schedule({ id: "period", every: 100, scope: "global", ...before });
    await Bun.sleep(350);
    await first.stop();
    const slower = recorder();
    const second = schedule.schedule({ id: "period", every: 300, scope: "global", ...slower });
    await Bun.sleep(700);
    await second.stop();
    expect(before.ran.length).toBeGreaterThanOrEqual(2);
    // a tick number every 300 ms is a third of one every 100 ms: compared by number it would never run
    expect(slower.ran.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...slower.ran)).toBeGreaterThan(Math.max(...before.ran));
  });

  it("waits in stop() for a long run even after later ticks were skipped", async () => {
    const { schedule } = await scheduleIn();
    let finished = false;
    const handle = schedule.schedule({
      id: "long-run",
      every: 100,
      scope: "local",
      run: async () => {
        await Bun.sleep(450); // ignores its signal: stop() still waits for it
        finished = true;
      },
    });
    await Bun.sleep(350); // one run going, two or three ticks skipped
    await handle.stop();
    expect(finished).toBe(true);
  });

  it("keeps a job going after a run that throws", async () => {
    const { schedule } = await scheduleIn();
    let runs = 0;
    const handle = schedule.schedule({
      id: "flaky",
      every: EVERY,
      scope: "local",
      run: () => {
        runs++;
        throw new Error("boom");
      },
    });
    await Bun.sleep(EVERY * 3 + 50);
    await handle.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it("refuses a bad id, period or scope and a duplicate id, naming the plugin and the field", async () => {
    const { schedule } = await scheduleIn();
    const run = () => {};
    expect(codeOf(() => schedule.schedule({ id: "a b", every: 1000, scope: "local", run }))).toStartWith(
      "BUNTIME_ERR_SCHEDULE_JOB_INVALID: jobs: job a b: job.id:",
    );
    expect(codeOf(() => schedule.schedule({ id: "fast", every: 5, scope: "local", run }))).toContain(
      "job.every: expected at least 100 ms",
    );
    expect(codeOf(() => schedule.schedule({ id: "soon", every: "soon", scope: "local", run }))).toContain(
      "job.every",
    );
    expect(
      codeOf(() => schedule.schedule({ id: "where", every: 1000, scope: "everywhere" as "local", run })),
    ).toContain('job.scope: expected "global" or "local"');
    expect(
      codeOf(() =>
        schedule.schedule({ id: "norun", every: 1000, scope: "local", run: 1 as unknown as () => void }),
      ),
    ).toContain("job.run: expected a function");
    const handle = schedule.schedule({ id: "once", every: "1m", scope: "local", run });
    expect(codeOf(() => schedule.schedule({ id: "once", every: 1000, scope: "global", run }))).toBe(
      "BUNTIME_ERR_SCHEDULE_JOB_DUPLICATE: jobs runs a job once already; stop it first or pick another id",
    );
    await handle.stop();
    schedule.schedule({ id: "once", every: 1000, scope: "local", run }).stop(); // free again after stop
  });
});
