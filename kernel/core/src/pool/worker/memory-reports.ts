/**
 * How a worker reports its memory (JS heap plus ArrayBuffers) to the pool. With work in flight it
 * reports every `busyMs`: the pool takes silence then for a worker that does not yield. Idle, it
 * wakes ten times less often (at least every second) and reports only a move of half a megabyte
 * or more: five hundred idle apps waking every 100 ms cost 64% of a core (docs/performance.md).
 * A request that ends before its busy report was due puts the idle schedule back: a worker of
 * one of 500 apps gets a request every 40 ms or so, and a report timer 100 ms after each one
 * woke a cold thread about once per request (kernel/core/bench/app-count-pair.ts). A worker
 * that served `BUSY_REQUESTS` requests since its last report, or whose heap grew by a step at
 * it, keeps the busy cadence: a hot or growing app is still looked at every `busyMs`.
 * A request answered within the batch that brought it never touches the timer: the busy cadence
 * is armed only for work still in flight once the batch is handled.
 * Past `maxMemory` it collects garbage and looks again before reporting, so garbage not yet
 * collected (large bodies just served) never costs a worker its life; memory still held does.
 */
import { heapSize } from "bun:jsc";
import type { MemoryMessage } from "../shared/protocol.ts";

/** Heap changes smaller than this are not reported by an idle worker. */
const REPORT_STEP = 512 * 1024;
/** An idle worker reports this many times less often than a busy one. */
const IDLE_FACTOR = 10;
/**
 * Heaps up to this figure are probed with `heapSize()` before a full reading: it walks the heap's
 * blocks (about 1.4 µs a megabyte), while `process.memoryUsage()` reads the RSS from
 * /proc/self/stat, which walks every thread of the process (67 µs at 500 apps' worker threads).
 */
const PROBE_LIMIT = 16 * 1024 * 1024;
/** A probe this close to the one of the last full reading gives that reading again. */
const PROBE_SLACK = 64 * 1024;
/** This many requests between two reports make a worker busy, however short each one was. */
const BUSY_REQUESTS = 8;

export class MemoryReports {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the next report is due (performance.now() time). */
  private due = Number.POSITIVE_INFINITY;
  private reported = Number.NEGATIVE_INFINITY;
  /** When the last report was taken (performance.now() time). */
  private reportedAt = Number.NEGATIVE_INFINITY;
  /** The heap at the last look, whether it grew by a step since the one before, and requests since. */
  private measured = 0;
  private growing = false;
  private requests = 0;
  private readonly gauge = new Gauge();

  constructor(
    private readonly post: (message: MemoryMessage) => void,
    private readonly options: { readonly busyMs: number; readonly maxMemory: number; busy(): boolean },
  ) {}

  /** Reports now, then on schedule. */
  start(): void {
    this.report();
    this.growing = false; // from nothing to the loaded app is not growth
    this.schedule();
  }

  /** A request arrived (counted towards keeping the busy cadence). */
  wake(): void {
    this.requests++;
  }

  /**
   * Work is still in flight once the messages at hand are handled: the next report comes within
   * `busyMs`, whatever the idle schedule said. A request answered at once never arms it.
   */
  held(): void {
    const now = performance.now();
    if (this.due - now > this.options.busyMs) this.arm(now, this.options.busyMs);
  }

  /**
   * Nothing is in flight any more: a busy report not yet due is not needed; the next one comes on
   * the idle schedule, counted from the last report (a worker never goes longer without one).
   * A worker that served many requests since its last report, or whose heap grew at it, keeps
   * the busy cadence.
   */
  idle(): void {
    if (this.growing || this.requests >= BUSY_REQUESTS) {
      this.held();
      return;
    }
    const now = performance.now();
    const due = Math.max(this.reportedAt + this.idleDelay(), now);
    if (due > this.due) this.arm(now, due - now);
  }

  private idleDelay(): number {
    return Math.max(1000, this.options.busyMs * IDLE_FACTOR);
  }

  private report(): void {
    this.reportedAt = performance.now();
    let heap = this.gauge.read(false);
    if (heap > this.options.maxMemory) {
      Bun.gc(true);
      heap = this.gauge.read(true);
    }
    this.growing = heap - this.measured >= REPORT_STEP;
    this.measured = heap;
    this.requests = 0;
    if (!this.options.busy() && Math.abs(heap - this.reported) < REPORT_STEP) return;
    this.reported = heap;
    this.post({ t: "mem", heap });
  }

  /** The next report after one just taken: busy cadence with work in flight, else idle. */
  private schedule(): void {
    this.arm(performance.now(), this.options.busy() ? this.options.busyMs : this.idleDelay());
  }

  private arm(now: number, delay: number): void {
    clearTimeout(this.timer);
    this.due = now + delay;
    this.timer = setTimeout(() => {
      this.report();
      this.schedule();
    }, delay);
  }
}

/**
 * The worker's heap plus external memory (ArrayBuffers live outside the JS heap, and a buffer
 * bomb must not go unseen), as `process.memoryUsage()` gives it. A small heap is probed first:
 * when its size moved less than `PROBE_SLACK` since the last full reading, that reading is
 * given again, so an app whose heap holds still costs no RSS read per report.
 */
class Gauge {
  private probed = Number.NaN;
  private figure = 0;

  /** The figure; `fresh` always reads it in full (after a collection, say). */
  read(fresh: boolean): number {
    if (this.figure < PROBE_LIMIT) {
      const probe = heapSize();
      if (!fresh && Math.abs(probe - this.probed) < PROBE_SLACK) return this.figure;
      this.probed = probe;
    } else {
      this.probed = Number.NaN;
    }
    const usage = process.memoryUsage();
    this.figure = usage.heapUsed + usage.external;
    return this.figure;
  }
}
