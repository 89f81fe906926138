/**
 * How many new traces the kernel may start recording per second: a token bucket holding one
 * second's worth, refilled continuously, so the cost of tracing stops growing with traffic
 * (what Jaeger's rate-limiting sampler and X-Ray's reservoir do). Under the limit every trace
 * the ratio picks is recorded; above it the rest go on unsampled.
 */

/** A clock in milliseconds, and a way to be woken after some milliseconds (a test passes its own). */
export interface BudgetClock {
  now(): number;
  wake(ms: number, wakeUp: () => void): void;
}

const realClock: BudgetClock = {
  now: () => performance.now(),
  wake: (ms, wakeUp) => setTimeout(wakeUp, ms).unref(),
};

export class TraceBudget {
  readonly perSecond: number;
  readonly #clock: BudgetClock;
  #tokens: number;
  #at: number;
  /**
   * Set while the bucket is known to hold less than one trace, until a timer says the next one
   * has come in: a busy kernel spends its budget early in each second, and reading the clock
   * for every request after that costs more than the rest of an unsampled request's tracing.
   */
  #empty = false;

  constructor(perSecond: number, clock: BudgetClock = realClock) {
    this.perSecond = perSecond;
    this.#clock = clock;
    this.#tokens = perSecond;
    this.#at = clock.now();
  }

  /** Whether one more trace may be recorded now (and, if so, counts it). */
  take(): boolean {
    if (this.#empty) return false;
    const now = this.#clock.now();
    const refilled = this.#tokens + ((now - this.#at) * this.perSecond) / 1000;
    this.#tokens = Math.min(refilled, this.perSecond);
    this.#at = now;
    if (this.#tokens < 1) {
      this.#empty = true;
      this.#clock.wake(((1 - this.#tokens) * 1000) / this.perSecond, () => {
        this.#empty = false;
      });
      return false;
    }
    this.#tokens -= 1;
    return true;
  }
}
