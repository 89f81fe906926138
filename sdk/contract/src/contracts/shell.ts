/** The service `frame-timings`, provided by `@buntime/shell`: how fast frames answer the shell. */

/** Count and percentiles of frames' INIT→READY times, in ms (percentiles absent when count is 0). */
export interface FrameTimingSummary {
  readonly count: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly max?: number;
}

/** INIT→READY times that shells in browsers reported, over the most recent window. */
export interface FrameTimings {
  summary(): FrameTimingSummary;
}
