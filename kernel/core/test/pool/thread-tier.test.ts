import { afterAll, describe, expect, it } from "bun:test";
import { besideHealthy, call, eventually, fixture, testPool } from "./helpers.ts";

const pool = testPool();
afterAll(() => pool.shutdown());

const hello = fixture("hello");
const FORBIDDEN = "BUNTIME_ERR_POOL_THREAD_FORBIDDEN";

/** The kernel's own process state, which no app in the thread tier may change. */
function kernelState() {
  return { pid: process.pid, cwd: process.cwd(), umask: process.umask(), env: JSON.stringify(process.env) };
}

/** Runs `fault` while the healthy app answers in a loop (see `besideHealthy`). */
const beside = <T>(fault: () => Promise<T>) => besideHealthy(pool, hello, fault);

const pid = process.pid;
const forbidden: Array<[string, string, string]> = [
  ["process.abort()", "/abort", "process.abort()"],
  ["process.kill(kernel pid, SIGTERM)", `/kill?pid=${pid}&signal=SIGTERM`, `process.kill(${pid})`],
  ["process.kill(kernel pid, SIGKILL)", `/kill?pid=${pid}&signal=SIGKILL`, `process.kill(${pid})`],
  ["process.kill(kernel pid, 0)", `/kill?pid=${pid}&signal=0`, `process.kill(${pid})`],
  ["process.kill(0) (the kernel's process group)", "/kill?pid=0&signal=SIGTERM", "process.kill(0)"],
  ["process.kill(-1) (every process of the user)", "/kill?pid=-1&signal=SIGTERM", "process.kill(-1)"],
  ["process.chdir()", "/chdir", "process.chdir()"],
  ["process.umask(0)", "/umask", "process.umask(mask)"],
  ["a write to process.env", "/env-set", "changing process.env"],
  ["a delete from process.env", "/env-delete", "changing process.env"],
];

describe("the thread tier contains an app's accidents", () => {
  for (const [what, path, call_] of forbidden) {
    it(`refuses ${what} with ${FORBIDDEN} while a healthy app answers every request`, async () => {
      const before = kernelState();
      const app = fixture("process-fault", { name: "faulty", env: { GREETING: "hi" } });
      const first = await call(pool, app);
      expect(first.status).toBe(200);
      const { result, missed, answered } = await beside(() => call(pool, app, path));
      expect(result.status).toBe(502);
      expect(result.text).toContain(FORBIDDEN);
      expect(result.text).toContain(`${call_} is not allowed in the thread tier`);
      expect(result.text).toContain("process tier");
      expect({ missed, answeredSome: answered >= 20 }).toEqual({ missed: 0, answeredSome: true });
      expect(kernelState()).toEqual(before);
      // the same worker answers again, its env unchanged
      const after = await call(pool, app);
      expect(after.status).toBe(200);
      expect(after.text.split(" ")[1]).toBe(first.text.split(" ")[1]);
      expect(after.text).toContain('env={"GREETING":"hi"}');
    });
  }

  for (const [what, path] of [
    ["process.exit(9)", "/exit"],
    ["process.reallyExit(9)", "/really-exit"],
  ] as const) {
    it(`ends only the worker on ${what}: 502 in flight, a new worker on the next request`, async () => {
      const before = kernelState();
      const app = fixture("process-fault", { name: `exits-${path.slice(1)}` });
      const first = await call(pool, app);
      const { result, missed } = await beside(() => call(pool, app, path));
      expect(result.status).toBe(502);
      expect(result.text).toContain("called process.exit with code 9");
      expect(result.text).toContain("ends only its own worker");
      expect(missed).toBe(0);
      expect(kernelState()).toEqual(before);
      const key = `exits-${path.slice(1)}@0.0.0`;
      expect(await eventually(() => pool.stats().apps[key]?.recycled.crash === 1)).toBe(true);
      const again = await call(pool, app);
      expect(again.status).toBe(200);
      expect(again.text.split(" ")[1]).not.toBe(first.text.split(" ")[1]);
      expect(pool.stats().apps[key]?.spawned).toBe(2);
    });
  }

  for (const [action, call_] of [
    ["abort", "process.abort()"],
    ["kill", `process.kill(${pid})`],
    ["chdir", "process.chdir()"],
    ["umask", "process.umask(mask)"],
    ["env-set", "changing process.env"],
  ] as const) {
    it(`refuses ${call_} at import: the app fails to load with ${FORBIDDEN}, the kernel is unchanged`, async () => {
      const before = kernelState();
      const app = fixture("process-fault", { name: `${action}-at-import`, env: { AT_IMPORT: action } });
      const { result, missed } = await beside(() => call(pool, app));
      expect(result.status).toBe(502);
      expect(result.text).toContain(
        `it failed to load: ${FORBIDDEN}: ${call_} is not allowed in the thread tier`,
      );
      expect(missed).toBe(0);
      expect(kernelState()).toEqual(before);
    });
  }

  it("keeps a write to Bun.env in the worker's own copy, out of the kernel's environment", async () => {
    const before = kernelState();
    const app = fixture("process-fault", { name: "bun-env" });
    expect((await call(pool, app, "/bun-env-set")).status).toBe(200);
    expect(process.env.BUNTIME_PLANTED).toBeUndefined();
    expect(kernelState()).toEqual(before);
  });

  it("ends a worker whose synchronous allocation passes maxMemory: 502, the kernel stays small, a new worker next", async () => {
    const before = kernelState();
    const app = fixture("sync-bomb", { maxMemory: 64 * 1024 * 1024, timeout: 30_000 });
    expect(await call(pool, app)).toMatchObject({ status: 200, text: "ok" });
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 5);
    const started = performance.now();
    const { result, missed } = await beside(() => call(pool, app, "/bomb"));
    clearInterval(sampler);
    expect(result.status).toBe(502);
    expect(result.text).toContain("without yielding (limit 67108864)");
    expect(performance.now() - started).toBeLessThan(5000);
    expect(missed).toBe(0);
    // unchecked, the bomb reaches 2 GB; stopped, the process grew by well under that
    expect(peak - baseline).toBeLessThan(640 * 1024 * 1024);
    expect(kernelState()).toEqual(before);
    expect(pool.stats().apps["sync-bomb@0.0.0"]?.recycled.memory).toBe(1);
    expect(await call(pool, app)).toMatchObject({ status: 200, text: "ok" });
  });

  it("still lets an app read its umask and signal a process that is not the kernel", async () => {
    const child = Bun.spawn(["sleep", "30"]);
    try {
      const app = fixture("process-fault", { name: "reads" });
      const { status } = await call(pool, app, `/kill?pid=${child.pid}&signal=SIGTERM`);
      expect(status).toBe(200);
      expect(await child.exited).not.toBe(0);
      expect((await call(pool, app)).text).toContain(`umask=${process.umask()}`);
    } finally {
      child.kill();
    }
  });
});
