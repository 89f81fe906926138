import { describe, expect, it } from "bun:test";
import type { MemoryMessage } from "../../src/pool/shared/protocol.ts";
import { MemoryReports } from "../../src/pool/worker/memory-reports.ts";

/** A MemoryReports whose worker is busy when `state.busy` says so, and the reports it posted. */
function reports(busyMs: number) {
  const state = { busy: false };
  const posted: Array<{ at: number; message: MemoryMessage }> = [];
  const memory = new MemoryReports((message) => posted.push({ at: performance.now(), message }), {
    busyMs,
    maxMemory: Number.MAX_SAFE_INTEGER,
    busy: () => state.busy,
  });
  return { memory, state, posted };
}

describe("a worker's memory reports", () => {
  it("reports every busyMs while a request is in flight", async () => {
    const { memory, state, posted } = reports(20);
    memory.start();
    memory.wake();
    state.busy = true;
    memory.held(); // still in flight once its batch was handled
    await Bun.sleep(110);
    state.busy = false;
    memory.idle();
    // the first report at start, then one every 20 ms while busy
    expect(posted.length).toBeGreaterThanOrEqual(4);
  });

  it("drops the busy report of a request that ended before it was due, and keeps the idle cadence", async () => {
    const { memory, state, posted } = reports(20);
    memory.start(); // reports at once, then next within a second (idle)
    const started = performance.now();
    memory.wake(); // a request...
    state.busy = true;
    memory.held(); // ...in flight past its batch: a report within 20 ms...
    state.busy = false;
    memory.idle(); // ...not needed: it ended at once
    // any timer firing now would post (a busy worker always reports): none may fire before the idle cadence
    state.busy = true;
    await Bun.sleep(200);
    expect(posted.length).toBe(1);
    // the idle report still comes, a second after the last one (not pushed back by the request)
    await Bun.sleep(1000);
    const next = (posted[1]?.at ?? Number.POSITIVE_INFINITY) - started;
    expect(next).toBeGreaterThan(950);
    expect(next).toBeLessThan(1150);
    state.busy = false;
    memory.idle();
  });

  it("keeps the busy cadence for a worker that served many requests since its last report", async () => {
    const { memory, state, posted } = reports(20);
    memory.start();
    for (let i = 0; i < 8; i++) {
      memory.wake();
      state.busy = false;
      memory.idle();
    }
    state.busy = true; // any report that fires posts
    await Bun.sleep(120);
    expect(posted.length).toBeGreaterThanOrEqual(2);
    state.busy = false;
    memory.idle();
  });

  it("arms no timer for a request answered within its batch", async () => {
    const { memory, state, posted } = reports(20);
    memory.start();
    memory.wake();
    memory.idle(); // answered at once: no held()
    state.busy = true; // any timer that fires now posts
    await Bun.sleep(200);
    expect(posted.length).toBe(1);
    state.busy = false;
  });

  it("sees memory taken between two reports, whether JS objects or ArrayBuffers", async () => {
    // JavaScriptCore's heap figures count garbage until a collection, and the whole suite runs in
    // one process: the readings compared here are taken with the garbage of earlier tests gone
    Bun.gc(true);
    const { memory, state, posted } = reports(20);
    state.busy = true; // every report posts
    memory.start();
    const held: unknown[] = [new ArrayBuffer(8 * 1024 * 1024)];
    await Bun.sleep(60);
    const first = posted[0]?.message.heap ?? 0;
    expect((posted.at(-1)?.message.heap ?? 0) - first).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    const objects: Array<{ i: number; pad: number[] }> = [];
    for (let i = 0; i < 400_000; i++) objects.push({ i, pad: [i, i, i, i, i, i, i, i] });
    held.push(objects);
    // and new objects are counted at a collection, which a large heap may not need for a while
    Bun.gc(true);
    const before = posted.length;
    const grown = 8 * 1024 * 1024 + 16 * 1024 * 1024;
    // a few reports' time at most (20 ms each)
    for (let waited = 0; waited < 500; waited += 20) {
      await Bun.sleep(20);
      if ((posted.at(-1)?.message.heap ?? 0) - first > grown) break;
    }
    expect(posted.length).toBeGreaterThan(before);
    expect((posted.at(-1)?.message.heap ?? 0) - first).toBeGreaterThan(grown);
    expect(held.length).toBe(2);
    state.busy = false;
    memory.idle();
  });
});
