/**
 * Memory a worker allocates without ever yielding. A worker reports its own heap from a
 * timer, and a handler that allocates in one synchronous run never lets that timer fire; Bun
 * 1.4.5 does not enforce `resourceLimits` or a heap cap per worker either. The main thread is
 * still free meanwhile, so it watches from outside: a worker with work in flight sends a
 * heartbeat with every heap report, and one that has been silent for longer than two report
 * intervals is charged with everything the process's resident memory grew since the last
 * tick at which it was still heard. Past `maxMemory` it is terminated.
 *
 * Resident memory is the whole process's, so growth from another thread during the silence
 * is charged to the silent worker as well; the check errs towards ending a worker that has
 * stopped answering, never towards letting the kernel grow.
 */

let sampledAt = Number.NaN;
let sampled = 0;

/** The process's resident memory, read at most once per tick (`now` is the tick's time). */
function residentAt(now: number): number {
  if (now !== sampledAt) {
    sampledAt = now;
    sampled = process.memoryUsage.rss();
  }
  return sampled;
}

/** One worker's silence and the resident memory when it was last heard. */
export class StallWatch {
  private heardAt = performance.now();
  private heardSinceTick = true;
  private mark: number | undefined;

  /** @param silenceMs how long a worker with work in flight may go without a message */
  constructor(private readonly silenceMs: number) {}

  /** The worker sent something, or was just given work: it is not stalled. */
  heard(now: number): void {
    this.heardAt = now;
    this.heardSinceTick = true;
  }

  /**
   * Called on each tick while the worker has work in flight. Returns the memory the worker is
   * charged with (its last reported heap plus the growth since it went silent) once that
   * passes `limit`, else undefined.
   */
  check(now: number, heap: number, limit: number): number | undefined {
    const resident = residentAt(now);
    if (this.heardSinceTick || this.mark === undefined) {
      this.heardSinceTick = false;
      this.mark = resident;
      return undefined;
    }
    if (now - this.heardAt < this.silenceMs) return undefined;
    const charged = heap + Math.max(0, resident - this.mark);
    return charged > limit ? charged : undefined;
  }

  /** Nothing in flight: the next work starts a new watch. */
  reset(): void {
    this.mark = undefined;
  }
}
