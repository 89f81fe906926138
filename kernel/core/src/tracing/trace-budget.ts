/**
 * How many new traces the kernel may start recording per second: a token bucket holding one
 * second's worth, refilled continuously, so the cost of tracing stops growing with traffic
 * (what Jaeger's rate-limiting sampler and X-Ray's reservoir do). Under the limit every trace
 * the ratio picks is recorded; above it the rest go on unsampled.
 */
export class TraceBudget {
  readonly perSecond: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /** `now` in milliseconds; a test passes its own clock. */
  constructor(perSecond: number, now: () => number = performance.now.bind(performance)) {
    this.perSecond = perSecond;
    this.#now = now;
    this.#tokens = perSecond;
    this.#at = now();
  }

  /** Whether one more trace may be recorded now (and, if so, counts it). */
  take(): boolean {
    const now = this.#now();
    const refilled = this.#tokens + ((now - this.#at) * this.perSecond) / 1000;
    this.#tokens = Math.min(refilled, this.perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
